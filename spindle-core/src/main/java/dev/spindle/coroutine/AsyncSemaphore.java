package dev.spindle.coroutine;

import dev.spindle.coroutine.internal.Strand;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code Semaphore} and {@code BoundedSemaphore}: {@code permits} coroutines of one loop
 * may hold it at once; {@link #acquire()} suspends while none is free. Fair (FIFO). A bounded one
 * refuses a {@link #release()} beyond its initial permits. Use only from coroutines of one loop.
 */
public final class AsyncSemaphore {
  private final Waiters waiters = new Waiters();
  private final int initial;
  private final boolean bounded;
  private int value;

  private AsyncSemaphore(int permits, boolean bounded) {
    if (permits < 0) {
      throw new IllegalArgumentException("permits must be >= 0: " + permits);
    }
    this.initial = permits;
    this.bounded = bounded;
    this.value = permits;
  }

  /** {@code asyncio.Semaphore(permits)}. */
  public static AsyncSemaphore of(int permits) {
    return new AsyncSemaphore(permits, false);
  }

  /** {@code asyncio.BoundedSemaphore(permits)}. */
  public static AsyncSemaphore bounded(int permits) {
    return new AsyncSemaphore(permits, true);
  }

  /** Takes a permit, suspending while none is free. */
  public void acquire() {
    Strand me = Async.requireStrand();
    if (value > 0 && waiters.isEmpty()) {
      value--;
      return;
    }
    try {
      waiters.await(me); // release() handed a permit over
    } catch (Waiters.Cancelled c) {
      if (c.waiter.granted) {
        release();
      }
      throw c;
    }
  }

  /**
   * Gives a permit back, to the first waiter if any.
   *
   * @throws IllegalStateException for a bounded semaphore released more often than acquired
   */
  public void release() {
    Async.requireStrand();
    if (waiters.wakeFirst(true)) {
      return;
    }
    if (bounded && value >= initial) {
      throw new IllegalStateException("BoundedSemaphore released too many times (permits " + initial + ")");
    }
    value++;
  }

  /** Free permits now. */
  public int available() {
    return value;
  }

  /** True if {@link #acquire()} would suspend. */
  public boolean isLocked() {
    return value == 0 || !waiters.isEmpty();
  }

  /** Runs {@code body} holding a permit. */
  public <T> @Nullable T withPermit(Coroutine<T> body) throws Exception {
    Objects.requireNonNull(body, "body");
    acquire();
    try {
      return body.call();
    } finally {
      release();
    }
  }
}
