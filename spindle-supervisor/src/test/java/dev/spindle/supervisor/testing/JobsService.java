package dev.spindle.supervisor.testing;

import dev.spindle.supervisor.Service;
import dev.spindle.supervisor.ServiceContext;
import java.time.Duration;

/** Counts one job every {@code periodMillis} (args) until stopped. */
public final class JobsService extends Service {
  public record Args(long periodMillis) {}

  private final Duration period;

  public JobsService(ServiceContext context) {
    super(context);
    this.period = Duration.ofMillis(context.args(Args.class).periodMillis());
  }

  @Override
  public void run() throws InterruptedException {
    while (!awaitStop(period)) {
      jobDone();
    }
  }
}
