package dev.spindle.internal.local;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the executions waiting for a worker and, when bounded, admits at most {@code max} of
 * them. Thread-safe. A slot is acquired at submission and released exactly once, when the
 * execution leaves the queued state (started, or cancelled while queued).
 */
abstract sealed class Backlog {
  /** A backlog admitting at most {@code max} (unbounded for {@link Integer#MAX_VALUE}). */
  static Backlog of(int max) {
    return max == Integer.MAX_VALUE ? new Unbounded() : new Bounded(max);
  }

  /** Takes a slot; false if full. */
  abstract boolean tryAcquire();

  /** Gives a slot back. */
  abstract void release();

  /** Executions counted now (a racy snapshot, never negative). */
  abstract int size();

  /** A strict bound kept with one atomic counter. */
  static final class Bounded extends Backlog {
    private final int max;
    private final AtomicInteger count = new AtomicInteger();

    Bounded(int max) {
      this.max = max;
    }

    @Override
    boolean tryAcquire() {
      while (true) {
        int c = count.get();
        if (c >= max) {
          return false;
        }
        if (count.compareAndSet(c, c + 1)) {
          return true;
        }
      }
    }

    @Override
    void release() {
      count.decrementAndGet();
    }

    @Override
    int size() {
      return Math.max(0, count.get());
    }
  }

  /** No bound: two striped counters, so that submitters and workers do not contend. */
  static final class Unbounded extends Backlog {
    private final LongAdder in = new LongAdder();
    private final LongAdder out = new LongAdder();

    @Override
    boolean tryAcquire() {
      in.increment();
      return true;
    }

    @Override
    void release() {
      out.increment();
    }

    @Override
    int size() {
      long n = in.sum() - out.sum();
      return (int) Math.max(0, Math.min(Integer.MAX_VALUE, n));
    }
  }
}
