package dev.spindle.store.redis;

import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Group commit for enqueues that do not wait ({@link RedisJobStore#enqueueAsync}): while
 * {@code maxInFlight} script calls are on their way, the batches enqueued meanwhile queue up, and
 * when a call's reply arrives the thread that handles it (the Redis client's I/O thread) answers the
 * call's batches and sends all the queued ones as the next call (within the per-call bounds). A
 * batch that finds a call free goes out at once from its caller's thread. No caller ever blocks,
 * and no timer delays a call: sixteen enqueues in flight from one thread make calls of up to
 * sixteen jobs.
 *
 * <p>Every batch keeps its guarantees as in {@link EnqueueCombiner}: a call is one script, so each
 * batch is added whole or not at all, in the order the batches arrived; if a call fails, nothing of
 * it was added and every batch of it fails with the same reason. A batch's future completes on the
 * thread that handled its call's reply; its dependent stages must not block.
 *
 * <p>Thread-safe.
 */
final class AsyncEnqueueCombiner extends BatchQueue<AsyncEnqueueCombiner.Request> {
  private final Function<List<NewJob>, CompletableFuture<List<EnqueueResult>>> send;

  /**
   * @param send sends the jobs as one script call (all or none), answering in their order
   * @param maxJobs the most jobs one combined call carries (a single larger batch still goes alone)
   * @param maxBytes the most argument characters one combined call carries (likewise)
   * @param maxInFlight the most calls on their way at once (at least 1)
   */
  AsyncEnqueueCombiner(Function<List<NewJob>, CompletableFuture<List<EnqueueResult>>> send, int maxJobs,
      long maxBytes, int maxInFlight) {
    super(maxJobs, maxBytes, maxInFlight);
    this.send = send;
  }

  /** Adds {@code jobs} (a batch that fits one script call), alone or with others' batches. */
  CompletableFuture<List<EnqueueResult>> enqueue(List<NewJob> jobs) {
    Request me = new Request(jobs);
    List<Request> group = null;
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
   * Sends {@code group} (its call counted in flight); a call that ended at once (failed before it
   * left) is answered here and the next group sent in this loop, not by recursion.
   */
  private void sendGroups(List<Request> group) {
    @Nullable List<Request> next = group;
    while (next != null) {
      List<Request> sent = next;
      CompletableFuture<List<EnqueueResult>> call;
      try {
        call = send.apply(CombinedBatch.jobsOf(sent));
      } catch (RuntimeException e) {
        call = CompletableFuture.failedFuture(e);
      }
      if (!call.isDone()) {
        call.whenComplete((all, e) -> {
          List<Request> after = answer(sent, all, e);
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
  private @Nullable List<Request> answer(List<Request> group, @Nullable List<EnqueueResult> all,
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

  /** One caller's batch and the future its call completes. */
  static final class Request extends CombinedBatch {
    final CompletableFuture<List<EnqueueResult>> future = new CompletableFuture<>();

    Request(List<NewJob> jobs) {
      super(jobs);
    }
  }
}
