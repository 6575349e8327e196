package dev.spindle.store.redis;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Group commit for enqueues from many threads: while {@code maxInFlight} script calls are on their
 * way, the batches that other threads enqueue meanwhile wait, and the first of them then sends all
 * of them as one script call (within the per-call bounds) as soon as a call returns. One thread
 * alone never waits for anyone (its call goes out at once); sixteen threads enqueueing one job each
 * pay one round trip per group instead of one each, and with more than one call in flight the next
 * group is already on its way (pipelined on the connection) while the previous one runs in Redis.
 *
 * <p>Every batch keeps its guarantees: the combined call is one script, so each batch is added
 * whole or not at all; within a call the jobs get ids in the order the batches arrived; a unique
 * key already used by an earlier batch of the call answers that job's id, as it would have one call
 * later. If the call fails, nothing of it was added and every batch of it fails with the same
 * reason. Only the batches of a call are woken when it returns (each by its own unpark: they return
 * without taking the lock again), and the oldest waiting batch when a call may go out; the others
 * sleep on.
 *
 * <p>Thread-safe.
 */
final class EnqueueCombiner extends BatchQueue<EnqueueCombiner.Request> {
  private final Function<List<NewJob>, List<EnqueueResult>> send;

  /**
   * @param send adds the jobs in one script call (all or none), answering in their order
   * @param maxJobs the most jobs one combined call carries (a single larger batch still goes alone)
   * @param maxBytes the most argument characters one combined call carries (likewise)
   * @param maxInFlight the most calls on their way at once (at least 1)
   */
  EnqueueCombiner(Function<List<NewJob>, List<EnqueueResult>> send, int maxJobs, long maxBytes, int maxInFlight) {
    super(maxJobs, maxBytes, maxInFlight);
    this.send = send;
  }

  /** Adds {@code jobs} (a batch that fits one script call), alone or with others' batches. */
  List<EnqueueResult> enqueue(List<NewJob> jobs) {
    Request me = new Request(jobs, Thread.currentThread());
    lock.lock();
    try {
      waiting.add(me);
    } finally {
      lock.unlock();
    }
    boolean interrupted = false;
    while (!me.done) {
      List<Request> group = null;
      lock.lock();
      try {
        if (!me.done && inFlight < maxInFlight && waiting.peek() == me) {
          inFlight++;
          group = takeGroup();
          wakeNextSender(); // a call left over may go out too
        }
      } finally {
        lock.unlock();
      }
      if (group == null) {
        // done is checked again here, after the lock: a wait for the lock may have taken the
        // unpark that said so (a later one, or the permit, ends the park below)
        if (!me.done) {
          LockSupport.park(this); // until this batch is done or may go out (or spuriously)
          // uninterruptible, as the call it waits for: the interrupt is kept for the caller
          interrupted |= Thread.interrupted();
        }
        continue;
      }
      try {
        sendGroup(group);
      } finally {
        lock.lock();
        try {
          inFlight--;
          wakeNextSender();
        } finally {
          lock.unlock();
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return me.result();
  }

  /** Wakes the oldest waiting batch if a call may go out now. Under the lock. */
  private void wakeNextSender() {
    Request next = waiting.peek();
    if (next != null && inFlight < maxInFlight) {
      LockSupport.unpark(next.caller);
    }
  }

  /** One call for the group; each request gets its slice of the answer, or the failure. Not under the lock. */
  private void sendGroup(List<Request> group) {
    List<List<EnqueueResult>> slices = null;
    RuntimeException failure = null;
    try {
      slices = CombinedBatch.slices(group, send.apply(CombinedBatch.jobsOf(group)));
    } catch (RuntimeException e) {
      failure = e;
    } catch (Error e) {
      failure = new IllegalStateException("enqueue failed: " + e, e);
      throw e;
    } finally {
      // each batch's outcome, then its caller woken: it returns without taking the lock again
      for (int i = 0; i < group.size(); i++) {
        Request r = group.get(i);
        if (slices != null) {
          r.results = slices.get(i);
        } else {
          r.failure = failure;
        }
        r.done = true;
        LockSupport.unpark(r.caller);
      }
    }
  }

  /**
   * One caller's batch and, once its call returned, the outcome: written by the thread that sent
   * the call, before it sets {@code done} (volatile), which publishes them to the caller.
   */
  static final class Request extends CombinedBatch {
    /** The thread that waits for this batch: unparked when it is done or may go out. */
    final Thread caller;
    volatile boolean done;
    @Nullable List<EnqueueResult> results;
    @Nullable RuntimeException failure;

    Request(List<NewJob> jobs, Thread caller) {
      super(jobs);
      this.caller = caller;
    }

    List<EnqueueResult> result() {
      if (results != null) {
        return results;
      }
      RuntimeException f = failure;
      if (f instanceof StoreException se) {
        // a new exception, so that each caller's stack trace shows its own call
        throw new StoreException(se.reason(), se.getMessage(), se);
      }
      throw f != null ? f : new IllegalStateException("enqueue ended without result");
    }
  }
}
