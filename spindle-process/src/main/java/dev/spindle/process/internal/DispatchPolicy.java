package dev.spindle.process.internal;

import java.util.function.IntUnaryOperator;

/**
 * The process pool's scheduling decisions, as pure functions of numbers the executor reads under
 * its lock: which worker takes the next execution, how many frames a worker may have in flight,
 * how its run-time estimate moves, and when unstarted work is taken back from a worker stuck on a
 * long task. No state, no clock, no I/O; thread-safe. Times are in nanoseconds.
 */
final class DispatchPolicy {
  /** Below this estimated run time per frame the pool sends work ahead. */
  static final long PREFETCH_BUDGET_NANOS = 1_000_000;
  /** A running task is never reclaimed from before it ran this long. */
  static final long RECLAIM_AFTER_NANOS = 2_000_000;
  /** A worker whose run time is not known yet. */
  static final double UNKNOWN = -1;

  private DispatchPolicy() {}

  /**
   * The worker to send the next execution to: the least-loaded one that can take work, scanning
   * from {@code start} round-robin, the first idle one at once, the first of equals otherwise.
   *
   * @param workers how many workers there are
   * @param start where the scan starts (any int; taken modulo {@code workers})
   * @param load the number of frames in flight at worker {@code i}, or a negative number if it
   *     cannot take work now
   * @return the worker's index, or -1 if none can take work
   */
  static int pick(int workers, int start, IntUnaryOperator load) {
    int best = -1;
    int bestLoad = Integer.MAX_VALUE;
    for (int k = 0; k < workers; k++) {
      int i = Math.floorMod(start + k, workers);
      int l = load.applyAsInt(i);
      if (l >= 0 && l < bestLoad) {
        best = i;
        bestLoad = l;
        if (l == 0) {
          break;
        }
      }
    }
    return best;
  }

  /**
   * How many frames may be in flight to one worker: 1 until its run time is known, then as many as
   * fit in {@link #PREFETCH_BUDGET_NANOS}, between 1 and {@code maxInFlight}.
   *
   * @param estimateNanos the estimated run time of one frame, or {@link #UNKNOWN} (any negative)
   */
  static int window(double estimateNanos, int maxInFlight) {
    if (estimateNanos < 0) {
      return 1;
    }
    long w = (long) (PREFETCH_BUDGET_NANOS / Math.max(estimateNanos, 1.0));
    return (int) Math.max(1, Math.min(maxInFlight, w));
  }

  /** The run-time estimate after one more answer: the first sample, then a 1/4-weight moving average. */
  static double estimate(double previousNanos, long sampleNanos) {
    return previousNanos < 0 ? sampleNanos : previousNanos * 0.75 + sampleNanos * 0.25;
  }

  /**
   * How much longer a worker's running task must run before the pool takes back work sent ahead to
   * it: it must have run {@link #RECLAIM_AFTER_NANOS} and four times the worker's estimate.
   *
   * @param ranNanos how long the task has been running
   * @param estimateNanos the worker's estimate, or {@link #UNKNOWN}
   * @return 0 if work may be taken back now, otherwise the nanoseconds left
   */
  static long reclaimIn(long ranNanos, double estimateNanos) {
    long threshold = Math.max(RECLAIM_AFTER_NANOS, (long) (4 * Math.max(0, estimateNanos)));
    return ranNanos >= threshold ? 0 : threshold - ranNanos;
  }

  /** Whether more work should be taken back: while idle workers outnumber the reclaims under way. */
  static boolean wantsReclaim(int idleWorkers, int reclaimsUnderWay) {
    return idleWorkers > reclaimsUnderWay;
  }
}
