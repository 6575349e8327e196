package dev.spindle.process.internal.shm;

import java.util.concurrent.locks.LockSupport;

/**
 * Waiting on a word in shared memory, which has no cross-process wake-up in Java: spin briefly,
 * then park for growing intervals capped at 1 ms, so a waiter reacts within about a millisecond
 * and an idle one costs almost no CPU. Not thread-safe: one per wait.
 */
public final class Backoff {
  private static final long MAX_PARK_NANOS = 1_000_000;
  private int spins;
  private long park = 1_000;

  /** Waits a little, at most until {@code deadline} ({@link System#nanoTime()}); 0 for none. */
  public void pause(long deadline) {
    if (spins < 100) {
      spins++;
      Thread.onSpinWait();
      return;
    }
    long nanos = park;
    if (deadline != 0) {
      nanos = Math.min(nanos, Math.max(0, deadline - System.nanoTime()));
    }
    LockSupport.parkNanos(nanos);
    park = Math.min(MAX_PARK_NANOS, park * 2);
  }
}
