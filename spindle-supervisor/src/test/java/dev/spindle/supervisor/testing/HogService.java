package dev.spindle.supervisor.testing;

import dev.spindle.supervisor.Service;
import dev.spindle.supervisor.ServiceContext;
import java.util.ArrayList;
import java.util.List;

/** Keeps {@code megabytes} (args) of heap reachable, touched page by page, then idles: a leak. */
public final class HogService extends Service {
  public record Args(int megabytes) {}

  private final List<byte[]> retained = new ArrayList<>();
  private final int megabytes;

  public HogService(ServiceContext context) {
    super(context);
    this.megabytes = context.args(Args.class).megabytes();
  }

  @Override
  public void run() throws InterruptedException {
    for (int i = 0; i < megabytes && !stopRequested(); i++) {
      byte[] b = new byte[1 << 20];
      for (int j = 0; j < b.length; j += 4096) {
        b[j] = 1;
      }
      retained.add(b);
    }
    System.gc(); // so that the heap reported "after GC" holds the retained arrays
    context().awaitStop();
  }
}
