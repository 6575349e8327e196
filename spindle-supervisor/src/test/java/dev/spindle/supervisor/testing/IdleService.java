package dev.spindle.supervisor.testing;

import dev.spindle.supervisor.Service;
import dev.spindle.supervisor.ServiceContext;
import java.time.Duration;

/**
 * Waits for its stop signal. With args {@code {"finishMillis": n}} it then spends n ms finishing
 * "in-flight work" before returning, as a worker finishing its current job does.
 */
public final class IdleService extends Service {
  public record Args(long finishMillis) {}

  private final long finishMillis;

  public IdleService(ServiceContext context) {
    super(context);
    this.finishMillis = context.argsJson() == null ? 0 : context.args(Args.class).finishMillis();
  }

  @Override
  public void run() throws InterruptedException {
    context().awaitStop();
    if (finishMillis > 0) {
      // the in-flight job this worker was running when asked to stop
      Thread.sleep(Duration.ofMillis(finishMillis));
      System.out.println("FINISHED " + name() + " " + workerId() + " " + pid());
    }
  }
}
