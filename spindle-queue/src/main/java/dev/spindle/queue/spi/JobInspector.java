package dev.spindle.queue.spi;

import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Queries and repairs for operators (the {@code spindle status} and {@code spindle jobs} commands,
 * dashboards): separate from the hot-path {@link JobStore} so that interface stays narrow. Every
 * store backend implements both. Thread-safe.
 */
public interface JobInspector {
  /** Jobs matching the filter, newest (highest id) first. */
  List<JobInfo> listJobs(JobFilter filter);

  /** Per-queue counts by state, by queue name; queues with only a limit and no jobs are included. */
  List<QueueSummary> queueSummaries();

  /**
   * Registered workers (alive or with an expired lease not yet reclaimed), by id; {@code running} is
   * the number of RUNNING jobs each holds in the store now, the other counters come from its last
   * heartbeat.
   */
  List<WorkerRecord> workers();

  /**
   * Puts a FAILED, DEAD or CANCELLED job back to QUEUED with its failure and lost-worker counts
   * reset (its attempt count is kept). A workflow node goes back to WAITING if a dependency has not
   * ended yet; the dependents it cancelled wait for it again.
   *
   * @throws JobNotFoundException if there is no such job
   * @throws IllegalJobTransitionException if it is in another state, or a dependency still cancels it
   */
  JobInfo requeue(String jobId, Instant now);

  /**
   * The dependencies of a job and its dependents: edges into it (in input order), then out of it.
   *
   * @throws JobNotFoundException if there is no such job
   */
  List<DependencyEdge> dependencyEdges(String jobId);

  /**
   * Deletes finished jobs matching the filter (at most {@code filter.limit()}).
   *
   * @throws IllegalArgumentException if the filter names a non-terminal state
   * @return how many were deleted
   */
  int purge(JobFilter filter);

  /**
   * Limits how many jobs of a queue run at once across all workers; 0 removes the limit.
   *
   * @throws IllegalArgumentException if negative or the queue name is invalid
   */
  void setQueueLimit(String queue, int maxRunning);

  /** The queue limits set, by queue name. */
  Map<String, Integer> queueLimits();
}
