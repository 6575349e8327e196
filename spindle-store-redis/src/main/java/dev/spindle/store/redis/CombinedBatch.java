package dev.spindle.store.redis;

import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One caller's batch in the {@link EnqueueCombiner} and the future its call completes, and what the
 * combiner does with the batches of one script call: take them from the queue within the per-call
 * bounds, join their jobs, and hand each its slice of the answer. Not thread-safe: the combiner
 * calls these under its lock or from the one thread that owns a group.
 */
final class CombinedBatch {
  final List<NewJob> jobs;
  /** The batch's stored text, in characters ({@link EnqueueArgs#size}). */
  final long bytes;
  final CompletableFuture<List<EnqueueResult>> future = new CompletableFuture<>();

  CombinedBatch(List<NewJob> jobs) {
    this.jobs = jobs;
    this.bytes = EnqueueArgs.size(jobs);
  }

  /**
   * The waiting batches one call carries, oldest first: at least one, then as many as fit within
   * {@code maxJobs} jobs and {@code maxBytes} characters.
   */
  static List<CombinedBatch> takeGroup(ArrayDeque<CombinedBatch> waiting, int maxJobs, long maxBytes) {
    List<CombinedBatch> group = new ArrayList<>();
    int jobs = 0;
    long bytes = 0;
    while (!waiting.isEmpty()) {
      CombinedBatch next = waiting.peek();
      if (!group.isEmpty() && (jobs + next.jobs.size() > maxJobs || bytes + next.bytes > maxBytes)) {
        break;
      }
      group.add(waiting.poll());
      jobs += next.jobs.size();
      bytes += next.bytes;
    }
    return group;
  }

  /** The jobs of a group, in its order (the batch's own list if the group has one batch). */
  static List<NewJob> jobsOf(List<CombinedBatch> group) {
    if (group.size() == 1) {
      return group.get(0).jobs;
    }
    List<NewJob> jobs = new ArrayList<>();
    for (CombinedBatch b : group) {
      jobs.addAll(b.jobs);
    }
    return jobs;
  }

  /**
   * Each batch's slice of {@code all}, the call's results in the group's order.
   *
   * @throws IllegalStateException if the call answered a different number of results
   */
  static List<List<EnqueueResult>> slices(List<CombinedBatch> group, List<EnqueueResult> all) {
    int total = group.stream().mapToInt(b -> b.jobs.size()).sum();
    if (all.size() != total) {
      throw new IllegalStateException("the enqueue script answered " + all.size() + " results for " + total + " jobs");
    }
    List<List<EnqueueResult>> out = new ArrayList<>(group.size());
    int at = 0;
    for (CombinedBatch b : group) {
      out.add(List.copyOf(all.subList(at, at + b.jobs.size())));
      at += b.jobs.size();
    }
    return out;
  }
}
