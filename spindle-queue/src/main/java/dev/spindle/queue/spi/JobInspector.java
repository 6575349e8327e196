package dev.spindle.queue.spi;

import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Queries and repairs for operators (the {@code spindle status} and {@code spindle jobs} commands,
 * dashboards), reached with {@link StoreAdmin#inspector()}: separate from the hot-path {@link
 * JobStore} so that interface stays narrow. Every store backend implements it. Thread-safe.
 */
public interface JobInspector {
  /** Jobs matching the filter, newest (highest id) first. */
  List<JobInfo> listJobs(JobFilter filter);

  /**
   * A page of jobs matching the filter, newest first, for a search that must answer quickly: a
   * store that searches by walking jobs (not an index) may stop after a bounded number of them and
   * return fewer than {@code filter.limit()} with a {@link JobPage#nextBeforeId} to go on from. The
   * default lists with {@link #listJobs}.
   */
  default JobPage page(JobFilter filter) {
    List<JobInfo> jobs = listJobs(filter);
    return new JobPage(jobs, jobs.size() < filter.limit() ? null : jobs.get(jobs.size() - 1).id(), -1);
  }

  /** Per-queue counts by state, by queue name; queues with only a limit and no jobs are included. */
  List<QueueSummary> queueSummaries();

  /**
   * The run time (when it became due) of the oldest ready (QUEUED) job of each queue that has one,
   * for the "oldest waiting job's age" gauge. A store that cannot answer this with one cheap query
   * returns an empty map, the default (the gauge then reads 0).
   */
  default Map<String, Instant> oldestReady() {
    return Map.of();
  }

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

  /** The queue limits set ({@link JobStore#setQueueLimit}), by queue name. */
  Map<String, Integer> queueLimits();

  /**
   * The waiting jobs no live worker can run ({@link UnroutableTask}), by queue then task: QUEUED
   * jobs of a queue live workers consume whose task none of them registered. A store without a
   * cheaper count may count at most {@link UnroutableTask#SCAN_LIMIT} jobs per queue.
   *
   * @param now the store's clock ({@link JobStore#storeTime}), which decides which workers are live
   */
  List<UnroutableTask> unroutable(Instant now);
}
