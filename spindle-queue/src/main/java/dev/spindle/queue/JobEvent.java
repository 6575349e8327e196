package dev.spindle.queue;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a job, reported to {@link JobListener}s of the process that made it
 * happen (the client that enqueued or cancelled it, the worker that ran it). Events are not sent to
 * other processes; to follow a job from anywhere, read its state from the store. Immutable.
 *
 * @param type what happened
 * @param jobId the job (for SCHEDULE_FIRED: the job's unique key {@code schedule:<name>:<tick millis>})
 * @param task the task name
 * @param queue the queue
 * @param attempt the job's attempt count at the time
 * @param state the job's state after the event
 * @param at when (the reporting component's clock)
 * @param workerId the worker involved, or {@code null}
 * @param error the failure, for FAILED, RETRY_SCHEDULED, DEAD_LETTERED and TIMED_OUT; else {@code null}
 * @param detail a human-readable detail (dead-letter reason, retry time), or {@code null}
 */
public record JobEvent(Type type, String jobId, String task, String queue, int attempt, JobState state, Instant at,
    @Nullable String workerId, @Nullable JobError error, @Nullable String detail) {

  /** Kinds of events. */
  public enum Type {
    /** Added to the store (or an existing job returned for its unique key: detail {@code existing}). */
    ENQUEUED,
    /** A worker started an execution. */
    STARTED,
    /** The execution returned. */
    SUCCEEDED,
    /** The execution failed; another attempt is scheduled (detail: when). */
    RETRY_SCHEDULED,
    /** The execution failed for good. */
    FAILED,
    /** The execution ran over its timeout and was stopped. */
    TIMED_OUT,
    /** The job was dead-lettered (detail: the reason). */
    DEAD_LETTERED,
    /** The job was cancelled. */
    CANCELLED,
    /** A stopping worker handed the job back. */
    RELEASED,
    /** The worker lost its lease on a running job (it was reclaimed); its outcome is discarded. */
    LEASE_LOST,
    /** A worker took back the job of a dead worker (detail: the new state). */
    RECLAIMED,
    /** A recurring schedule enqueued this job (detail: the schedule name). */
    SCHEDULE_FIRED
  }

  public JobEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(at, "at");
  }

  /** An event about a job snapshot. */
  public static JobEvent of(Type type, JobInfo job, JobState state, Instant at, @Nullable String workerId,
      @Nullable JobError error, @Nullable String detail) {
    return new JobEvent(type, job.id(), job.task(), job.queue(), job.attempt(), state, at, workerId, error, detail);
  }
}
