package dev.spindle.queue.spi;

import dev.spindle.queue.JobState;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * Operator controls beyond {@link JobInspector}, for dashboards and APIs: pausing queues, changes
 * to many jobs by filter done inside the store (not row by row by the caller), deleting one job.
 * Every store offers it, reached with {@link StoreAdmin#control()}. Thread-safe; every method is atomic, like {@link JobStore}'s.
 */
public interface QueueControl {
  /** The outcome of {@link #deleteJob}. */
  enum DeleteResult {
    /** The job was deleted. */
    DELETED,
    /** There is no such job. */
    NOT_FOUND,
    /** The job is not finished (cancel it first); nothing was deleted. */
    NOT_FINISHED
  }

  /**
   * Pauses a queue: no worker claims its jobs until {@link #resumeQueue}; jobs already running go
   * on. Kept in the store, so every worker and a restarted one sees it. Idempotent.
   *
   * @throws IllegalArgumentException if the queue name is invalid
   */
  void pauseQueue(String queue);

  /** Lets workers claim the queue's jobs again. Idempotent. */
  void resumeQueue(String queue);

  /** The paused queues. */
  Set<String> pausedQueues();

  /**
   * Puts FAILED, DEAD and CANCELLED jobs matching the filter (newest first, at most
   * {@code filter.limit()}) back to QUEUED, as {@link JobInspector#requeue} does one.
   *
   * @throws IllegalArgumentException if the filter names another state
   * @return how many were requeued
   */
  int requeueMatching(JobFilter filter, Instant now);

  /**
   * Cancels SCHEDULED and QUEUED jobs matching the filter and asks their workers to stop RUNNING
   * ones (newest first, at most {@code filter.limit()}), as {@link JobStore#cancel} does one.
   *
   * @throws IllegalArgumentException if the filter names a finished state
   * @return how many were cancelled or asked to stop
   */
  int cancelMatching(JobFilter filter, Instant now);

  /** Deletes one finished job. */
  DeleteResult deleteJob(String jobId);

  /**
   * Pauses a recurring schedule: it fires no tick until {@link #resumeSchedule}; then the ticks it
   * missed are handled by its misfire rule, as after any downtime. Kept in the store. Idempotent.
   *
   * @return false if there is no such schedule
   */
  boolean pauseSchedule(String name);

  /**
   * Lets a paused schedule fire again. Idempotent.
   *
   * @return false if there is no such schedule
   */
  boolean resumeSchedule(String name);

  /** The names of the paused schedules; {@link JobStore#dueSchedules} never returns them. */
  Set<String> pausedSchedules();

  /**
   * Resuming failed workflows: retrying a node and re-arming the dependents its failure cancelled,
   * atomically. Empty (the default) for a store that cannot do it in one transaction or script.
   */
  default java.util.Optional<WorkflowControl> workflows() {
    return java.util.Optional.empty();
  }

  /** The states {@link #requeueMatching} accepts; an empty filter means these. */
  static Set<JobState> requeueStates() {
    return EnumSet.of(JobState.FAILED, JobState.DEAD, JobState.CANCELLED);
  }

  /** The states {@link #cancelMatching} accepts; an empty filter means these. */
  static Set<JobState> cancelStates() {
    return EnumSet.of(JobState.SCHEDULED, JobState.QUEUED, JobState.RUNNING);
  }

  /**
   * The filter's states, or {@code allowed} if it names none.
   *
   * @throws IllegalArgumentException if it names a state outside {@code allowed}
   */
  static Set<JobState> statesWithin(JobFilter filter, Set<JobState> allowed, String what) {
    if (filter.states().isEmpty()) {
      return allowed;
    }
    for (JobState s : filter.states()) {
      if (!allowed.contains(s)) {
        throw new IllegalArgumentException("only " + allowed + " jobs can be " + what + ", not " + s);
      }
    }
    return filter.states();
  }
}
