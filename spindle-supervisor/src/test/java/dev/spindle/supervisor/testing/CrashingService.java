package dev.spindle.supervisor.testing;

import dev.spindle.supervisor.Service;
import dev.spindle.supervisor.ServiceContext;

/** Its {@code run()} throws at once: a service that keeps dying young. */
public final class CrashingService extends Service {
  public CrashingService(ServiceContext context) {
    super(context);
  }

  @Override
  public void run() {
    throw new IllegalStateException("boom (test crash of " + name() + " worker " + workerId() + ")");
  }
}
