package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A worker asks for up to {@code max} ready jobs: as many as it has free slots, never more.
 *
 * <p>The store first promotes SCHEDULED jobs whose run time is {@code <= now} to QUEUED, then takes
 * jobs from the queues in the given order (the first queue is drained before the second is
 * touched), highest priority first, oldest first among equals, skipping a queue whose concurrency
 * limit ({@link JobStore#setQueueLimit}) is reached by RUNNING jobs of all workers. Each claimed
 * job moves to RUNNING with {@code workerId}, its attempt count incremented and a new fencing
 * token.
 *
 * <p>With {@code tasks}, only jobs of those tasks are claimed: the others are passed over where they
 * stand, QUEUED for a worker that knows them, and the order, limits and flow rules apply among the
 * jobs that may be claimed as they do without it. A worker sends it only once it met a job of a task
 * it does not know (a rolling deploy), so the common claim stays unfiltered.
 *
 * @param workerId the claiming worker, which must be registered ({@link JobStore#heartbeat})
 * @param queues queue names in priority order, at least one
 * @param max the most jobs to claim, at least 1
 * @param now the worker's clock
 * @param tasks the only tasks to claim, or {@code null} for any task (the common case); may be empty
 */
public record ClaimRequest(String workerId, List<String> queues, int max, Instant now, @Nullable Set<String> tasks) {
  /** A claim of jobs of any task. */
  public ClaimRequest(String workerId, List<String> queues, int max, Instant now) {
    this(workerId, queues, max, now, null);
  }

  public ClaimRequest {
    Objects.requireNonNull(workerId, "workerId");
    queues = List.copyOf(queues);
    if (queues.isEmpty()) {
      throw new IllegalArgumentException("a claim needs at least one queue");
    }
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1: " + max);
    }
    Objects.requireNonNull(now, "now");
    tasks = tasks == null ? null : Set.copyOf(tasks);
  }

  /** True if a job of {@code task} may be claimed: no task filter, or the filter names it. */
  public boolean admits(String task) {
    return tasks == null || tasks.contains(task);
  }
}
