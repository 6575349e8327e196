package dev.spindle.retry;

import dev.spindle.coroutine.Async;
import dev.spindle.coroutine.EventLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * How a {@link Retry} waits between attempts. Tests inject one that moves a fake clock instead of
 * sleeping. Implementations must be thread-safe.
 */
public interface Sleeper {
  /**
   * Waits {@code duration} (zero: returns at once, or yields on a coroutine).
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;

  /**
   * A future completed on {@code executor} once {@code duration} has passed, without blocking the
   * caller. Cancelling it may leave a timer behind that then does nothing.
   */
  CompletableFuture<Void> after(Duration duration, Executor executor);

  /**
   * The real one: on a coroutine ({@link EventLoop#inCoroutine()}) {@link #sleep} suspends with
   * {@link Async#sleep}, so the loop runs other coroutines meanwhile; elsewhere it is
   * {@link Thread#sleep} (a virtual thread unmounts from its carrier). {@link #after} uses
   * {@link CompletableFuture#delayedExecutor}.
   */
  static Sleeper system() {
    return SystemSleeper.INSTANCE;
  }
}

/** {@link Sleeper#system()}. */
enum SystemSleeper implements Sleeper {
  INSTANCE;

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (EventLoop.inCoroutine()) {
      Async.sleep(duration);
    } else if (duration.isPositive()) {
      Thread.sleep(duration);
    }
  }

  @Override
  public CompletableFuture<Void> after(Duration duration, Executor executor) {
    if (!duration.isPositive()) {
      return CompletableFuture.runAsync(() -> {}, executor);
    }
    Executor later = CompletableFuture.delayedExecutor(duration.toNanos(), TimeUnit.NANOSECONDS, executor);
    return CompletableFuture.runAsync(() -> {}, later);
  }
}
