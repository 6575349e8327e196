package dev.spindle.retry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A monotonic clock that moves only when a wait is "slept" or a test advances it. Thread-safe. */
final class FakeTime implements Sleeper, LongSupplier {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Override
  public long getAsLong() {
    return nanos.get();
  }

  @Override
  public void sleep(Duration duration) {
    sleeps.add(duration);
    advance(duration);
  }

  @Override
  public CompletableFuture<Void> after(Duration duration, Executor executor) {
    sleeps.add(duration);
    advance(duration);
    return CompletableFuture.runAsync(() -> {}, executor);
  }
}
