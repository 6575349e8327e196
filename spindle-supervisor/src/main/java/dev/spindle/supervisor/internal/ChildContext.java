package dev.spindle.supervisor.internal;

import dev.spindle.supervisor.ServiceContext;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/** The {@link ServiceContext} of a service running in a worker JVM. Thread-safe. */
final class ChildContext implements ServiceContext {
  private final String service;
  private final int workerId;
  private final @Nullable String argsJson;
  private final long maxJobs;
  private final Duration stopTimeout;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final AtomicLong jobs = new AtomicLong();
  private final LongConsumer onJobLimit;

  ChildContext(String service, int workerId, @Nullable String argsJson, long maxJobs, Duration stopTimeout,
      LongConsumer onJobLimit) {
    this.service = service;
    this.workerId = workerId;
    this.argsJson = argsJson;
    this.maxJobs = maxJobs;
    this.stopTimeout = stopTimeout;
    this.onJobLimit = onJobLimit;
  }

  @Override
  public String serviceName() {
    return service;
  }

  @Override
  public int workerId() {
    return workerId;
  }

  @Override
  public @Nullable String argsJson() {
    return argsJson;
  }

  @Override
  public boolean stopRequested() {
    return stop.getCount() == 0;
  }

  @Override
  public boolean awaitStop(Duration timeout) throws InterruptedException {
    return stop.await(Math.max(0, TimeUnit.NANOSECONDS.convert(timeout)), TimeUnit.NANOSECONDS); // saturates
  }

  @Override
  public void awaitStop() throws InterruptedException {
    stop.await();
  }

  @Override
  public Duration stopTimeout() {
    return stopTimeout;
  }

  @Override
  public void jobDone() {
    long n = jobs.incrementAndGet();
    if (maxJobs > 0 && n == maxJobs) {
      onJobLimit.accept(n);
    }
  }

  @Override
  public long jobsDone() {
    return jobs.get();
  }

  /** Sets the stop signal. */
  void signalStop() {
    stop.countDown();
  }
}
