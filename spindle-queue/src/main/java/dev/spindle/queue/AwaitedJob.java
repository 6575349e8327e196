package dev.spindle.queue;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a job awaited with {@link DurableContext#awaitJob} came out: its result, its end without one
 * (failed, dead, cancelled), or no end (the wait timed out, or the job was removed by retention or an
 * operator while it was awaited). Recorded as the waiting job's step, so every later attempt sees the
 * same outcome. Immutable; thread-safe if the result is.
 *
 * @param jobId the awaited job's id
 * @param status how it came out
 * @param result its result when {@link Status#SUCCEEDED} (may be null if the task returned null),
 *     else null
 * @param error its error when it FAILED or is DEAD (and for some CANCELLED jobs), else null
 * @param <T> the result type
 */
public record AwaitedJob<T>(String jobId, Status status, @Nullable T result, @Nullable JobError error) {
  /** How an awaited job came out. */
  public enum Status {
    /** It succeeded: {@link #result()} holds its result. */
    SUCCEEDED,
    /** It failed for good ({@link JobState#FAILED}). */
    FAILED,
    /** It was dead-lettered ({@link JobState#DEAD}). */
    DEAD,
    /** It was cancelled ({@link JobState#CANCELLED}). */
    CANCELLED,
    /** It had not ended when the wait's timeout came. */
    TIMED_OUT,
    /** It was removed (retention, delete) while awaited, before its end could be read. */
    REMOVED;

    /** The status of a job that ended in {@code state}. */
    public static Status of(JobState state) {
      return switch (state) {
        case SUCCEEDED -> SUCCEEDED;
        case FAILED -> FAILED;
        case DEAD -> DEAD;
        case CANCELLED -> CANCELLED;
        default -> throw new IllegalArgumentException("job state " + state + " is not an end");
      };
    }
  }

  public AwaitedJob {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(status, "status");
  }

  /** True if the job succeeded. */
  public boolean succeeded() {
    return status == Status.SUCCEEDED;
  }

  /** True if the job ended (any of SUCCEEDED, FAILED, DEAD, CANCELLED). */
  public boolean ended() {
    return status != Status.TIMED_OUT && status != Status.REMOVED;
  }

  /**
   * The result if the job succeeded.
   *
   * @throws IllegalStateException naming the job and how it came out (and its error) otherwise
   */
  public @Nullable T orElseThrow() {
    if (succeeded()) {
      return result;
    }
    throw new IllegalStateException("awaited job " + jobId + " did not succeed: " + status
        + (error == null ? "" : " (" + error.summary() + ")"));
  }
}
