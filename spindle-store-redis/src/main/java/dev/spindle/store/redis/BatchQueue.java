package dev.spindle.store.redis;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What both enqueue combiners ({@link EnqueueCombiner}, {@link AsyncEnqueueCombiner}) keep: the
 * batches waiting for a combined call, oldest first, how many calls are on their way, the per-call
 * bounds, and the lock that guards them. The fields are read and written under {@link #lock}.
 *
 * @param <B> the combiner's batch
 */
abstract class BatchQueue<B extends CombinedBatch> {
  final int maxJobs;
  final long maxBytes;
  final int maxInFlight;
  final ReentrantLock lock = new ReentrantLock();
  final ArrayDeque<B> waiting = new ArrayDeque<>();
  /** Combined calls on their way. */
  int inFlight;

  /**
   * @param maxJobs the most jobs one combined call carries (a single larger batch still goes alone)
   * @param maxBytes the most argument characters one combined call carries (likewise)
   * @param maxInFlight the most calls on their way at once (at least 1)
   */
  BatchQueue(int maxJobs, long maxBytes, int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be >= 1: " + maxInFlight);
    }
    this.maxJobs = maxJobs;
    this.maxBytes = maxBytes;
    this.maxInFlight = maxInFlight;
  }

  /** The waiting batches one call carries (see {@link CombinedBatch#takeGroup}). Under the lock. */
  final List<B> takeGroup() {
    return CombinedBatch.takeGroup(waiting, maxJobs, maxBytes);
  }

  /** How many batches wait for a call (for tests). */
  final int waiting() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }
}
