package dev.spindle.examples.spinner;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A {@link StopSignal} within one JVM (threads and virtual threads). Thread-safe. */
public final class LocalStopSignal implements StopSignal {
  private final CountDownLatch latch = new CountDownLatch(1);

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public boolean isSet() {
    return latch.getCount() == 0;
  }

  @Override
  public void set() {
    latch.countDown();
  }

  @Override
  public String toString() {
    return "LocalStopSignal[" + (isSet() ? "set" : "clear") + "]";
  }
}
