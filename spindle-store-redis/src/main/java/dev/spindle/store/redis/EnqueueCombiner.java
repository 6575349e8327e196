package dev.spindle.store.redis;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Group commit for small enqueues, from any number of threads, waiting or not: while
 * {@code maxInFlight} script calls are on their way, the batches enqueued meanwhile queue up, and
 * when a call's reply arrives the thread that handles it (the Redis client's I/O thread) answers the
 * call's batches and sends all the queued ones as the next call (within the per-call bounds). A
 * batch that finds a call free goes out at once from its caller's thread. No timer delays a call:
 * sixteen enqueues in flight make calls of up to sixteen jobs, whether one thread has them in flight
 * ({@link #enqueue}) or sixteen threads each wait for one ({@link #enqueueAndWait}).
 *
 * <p>Every batch keeps its guarantees: a call is one script, so each batch is added whole or not at
 * all, in the order the batches arrived; a unique key already used by an earlier batch of the call
 * answers that job's id, as it would have one call later. If a call fails, nothing of it was added
 * and every batch of it fails with the same reason. A batch's future completes on the thread that
 * handled its call's reply; its dependent stages must not block.
 *
 * <p>Thread-safe.
 */
final class EnqueueCombiner {
  private final Function<List<NewJob>, CompletableFuture<List<EnqueueResult>>> send;
  private final int maxJobs;
  private final long maxBytes;
  private final int maxInFlight;
  private final ReentrantLock lock = new ReentrantLock();
  /** The batches waiting for a call, oldest first. Under {@link #lock}. */
  private final ArrayDeque<CombinedBatch> waiting = new ArrayDeque<>();
  /** Calls on their way. Under {@link #lock}. */
  private int inFlight;

  /**
   * @param send sends the jobs as one script call (all or none), answering in their order
   * @param maxJobs the most jobs one combined call carries (a single larger batch still goes alone)
   * @param maxBytes the most argument characters one combined call carries (likewise)
   * @param maxInFlight the most calls on their way at once (at least 1)
   */
  EnqueueCombiner(Function<List<NewJob>, CompletableFuture<List<EnqueueResult>>> send, int maxJobs, long maxBytes,
      int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be >= 1: " + maxInFlight);
    }
    this.send = send;
    this.maxJobs = maxJobs;
    this.maxBytes = maxBytes;
    this.maxInFlight = maxInFlight;
  }

  /** Adds {@code jobs} (a batch that fits one script call), alone or with others' batches. */
  CompletableFuture<List<EnqueueResult>> enqueue(List<NewJob> jobs) {
    CombinedBatch me = new CombinedBatch(jobs);
    List<CombinedBatch> group = null;
    lock.lock();
    try {
      waiting.add(me);
      if (inFlight < maxInFlight) {
        inFlight++;
        group = takeGroup();
      }
    } finally {
      lock.unlock();
    }
    if (group != null) {
      sendGroups(group);
    }
    return me.future;
  }

  /**
   * {@link #enqueue}, waiting for the outcome. The wait is not interruptible, as the call it waits
   * for is not: an interrupt meanwhile is kept for the caller.
   *
   * @throws StoreException a new one for each caller, so that its stack trace shows its own call
   */
  List<EnqueueResult> enqueueAndWait(List<NewJob> jobs) {
    try {
      return enqueue(jobs).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof StoreException se) {
        throw new StoreException(se.reason(), se.getMessage(), se);
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  /**
   * Sends {@code group} (its call counted in flight); a call that ended at once (failed before it
   * left) is answered here and the next group sent in this loop, not by recursion.
   */
  private void sendGroups(List<CombinedBatch> group) {
    @Nullable List<CombinedBatch> next = group;
    while (next != null) {
      List<CombinedBatch> sent = next;
      CompletableFuture<List<EnqueueResult>> call;
      try {
        call = send.apply(CombinedBatch.jobsOf(sent));
      } catch (RuntimeException e) {
        call = CompletableFuture.failedFuture(e);
      }
      if (!call.isDone()) {
        call.whenComplete((all, e) -> {
          List<CombinedBatch> after = answer(sent, all, e);
          if (after != null) {
            sendGroups(after);
          }
        });
        return;
      }
      List<EnqueueResult> all = null;
      Throwable failure = null;
      try {
        all = call.join();
      } catch (CompletionException | CancellationException e) {
        failure = e;
      }
      next = answer(sent, all, failure);
    }
  }

  /**
   * Completes the batches of a call that ended, then frees its place: returns the next group to
   * send (counted in flight), or null if none waits.
   */
  private @Nullable List<CombinedBatch> answer(List<CombinedBatch> group, @Nullable List<EnqueueResult> all,
      @Nullable Throwable failure) {
    List<List<EnqueueResult>> slices = null;
    Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
    if (cause == null) {
      try {
        slices = CombinedBatch.slices(group, Objects.requireNonNull(all));
      } catch (RuntimeException e) {
        cause = e;
      }
    }
    for (int i = 0; i < group.size(); i++) {
      if (slices != null) {
        group.get(i).future.complete(slices.get(i));
      } else {
        group.get(i).future.completeExceptionally(Objects.requireNonNull(cause));
      }
    }
    lock.lock();
    try {
      if (waiting.isEmpty()) {
        inFlight--;
        return null;
      }
      return takeGroup(); // its call takes this one's place
    } finally {
      lock.unlock();
    }
  }

  /** The waiting batches one call carries (see {@link CombinedBatch#takeGroup}). Under the lock. */
  private List<CombinedBatch> takeGroup() {
    return CombinedBatch.takeGroup(waiting, maxJobs, maxBytes);
  }

  /** How many batches wait for a call (for tests). */
  int waiting() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }
}
