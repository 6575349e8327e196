package dev.spindle.supervisor.testing;

import dev.spindle.supervisor.Service;
import java.util.concurrent.CountDownLatch;

/** Ignores its stop signal (a hung service): only SIGKILL ends it. Uses the no-argument constructor. */
public final class StubbornService extends Service {
  @Override
  public void run() throws InterruptedException {
    new CountDownLatch(1).await();
  }
}
