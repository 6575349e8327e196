package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A worker reports how an execution ended. The store applies it only if the job is still RUNNING,
 * held by {@code workerId} with the same {@code fence} (fencing): a worker that lost its lease
 * cannot complete a job that was reclaimed, even if it was claimed again since.
 *
 * @param jobId the job
 * @param fence the fencing token received with the claim
 * @param workerId the reporting worker
 * @param outcome how it ended
 * @param resultJson the output (SUCCEEDED), else {@code null}
 * @param errorJson the failure as {@link dev.spindle.queue.JobError} JSON (FAILED, RETRY, DEAD,
 *     optionally CANCELLED), else {@code null}
 * @param deadReason the dead-letter reason (DEAD), else {@code null}
 * @param retryAt when the next attempt may run (RETRY), else {@code null}
 */
public record Completion(String jobId, long fence, String workerId, Outcome outcome, @Nullable String resultJson,
    @Nullable String errorJson, @Nullable String deadReason, @Nullable Instant retryAt) {

  /** How an execution ended, and the state it moves the job to. */
  public enum Outcome {
    /** The task returned: SUCCEEDED with the result. */
    SUCCEEDED,
    /** The task failed and will be retried: SCHEDULED at {@code retryAt} (QUEUED if already due); failures + 1. */
    RETRY,
    /** The task failed for good: FAILED; failures + 1. */
    FAILED,
    /** The job cannot run (unknown task, bad arguments): DEAD with the reason. */
    DEAD,
    /** The job was cancelled while running: CANCELLED. */
    CANCELLED,
    /** A stopping worker hands the job back unfinished: QUEUED; the attempt is not counted. */
    RELEASED
  }

  public Completion {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(outcome, "outcome");
    if (outcome == Outcome.SUCCEEDED) {
      Objects.requireNonNull(resultJson, "resultJson of a SUCCEEDED completion");
    }
    if (outcome == Outcome.RETRY) {
      Objects.requireNonNull(retryAt, "retryAt of a RETRY completion");
    }
    if (outcome == Outcome.DEAD) {
      Objects.requireNonNull(deadReason, "deadReason of a DEAD completion");
    }
  }

  /** SUCCEEDED with the result JSON. */
  public static Completion succeeded(String jobId, long fence, String workerId, String resultJson) {
    return new Completion(jobId, fence, workerId, Outcome.SUCCEEDED, resultJson, null, null, null);
  }

  /** RETRY at the given time. */
  public static Completion retry(String jobId, long fence, String workerId, String errorJson, Instant retryAt) {
    return new Completion(jobId, fence, workerId, Outcome.RETRY, null, errorJson, null, retryAt);
  }

  /** FAILED for good. */
  public static Completion failed(String jobId, long fence, String workerId, String errorJson) {
    return new Completion(jobId, fence, workerId, Outcome.FAILED, null, errorJson, null, null);
  }

  /** DEAD with a reason. */
  public static Completion dead(String jobId, long fence, String workerId, String reason,
      @Nullable String errorJson) {
    return new Completion(jobId, fence, workerId, Outcome.DEAD, null, errorJson, reason, null);
  }

  /** CANCELLED while running. */
  public static Completion cancelled(String jobId, long fence, String workerId) {
    return new Completion(jobId, fence, workerId, Outcome.CANCELLED, null, null, null, null);
  }

  /** RELEASED unfinished. */
  public static Completion released(String jobId, long fence, String workerId) {
    return new Completion(jobId, fence, workerId, Outcome.RELEASED, null, null, null, null);
  }
}
