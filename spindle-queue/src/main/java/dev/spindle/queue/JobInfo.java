package dev.spindle.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one job as the store holds it. Immutable; read it again for fresh values.
 *
 * @param id the job id, unique in its store
 * @param task the task name
 * @param queue the queue name
 * @param state the state
 * @param priority higher runs first
 * @param argsJson the task input as JSON
 * @param resultJson the output as JSON once SUCCEEDED, else {@code null}
 * @param errorJson the last failure as {@link JobError} JSON, or {@code null}
 * @param deadReason why the job was dead-lettered ({@code worker_lost}, {@code unknown_task},
 *     {@code bad_args}), or {@code null}
 * @param uniqueKey the idempotency key, or {@code null}
 * @param attempt executions started so far (the running one included)
 * @param failures executions that failed (threw or timed out)
 * @param workerLost executions whose worker died (lease expired)
 * @param fence the fencing token of the current claim; a completion must present it
 * @param workerId the worker holding the job while RUNNING, else {@code null}
 * @param cancelRequested true if a cancel was asked while it was running
 * @param createdAt when it was enqueued
 * @param runAt when it may run (next attempt, for a retry)
 * @param startedAt when the current or last execution started, or {@code null}
 * @param finishedAt when it reached a terminal state, or {@code null}
 * @param expiresAt when retention deletes it, or {@code null} while not terminal
 * @param finishSeq the store's sequence number of its last terminal transition (0 if none)
 * @param policy timeout, retry and retention rules
 * @param traceContext the W3C trace context of the code that enqueued the job, or {@code null}: the
 *     {@code traceparent} header value, followed by {@code ';'} and the {@code tracestate} value when
 *     there is one (neither ever contains the other's separator at that position: a traceparent has no
 *     {@code ';'}); at most {@link #MAX_TRACE_CONTEXT} printable ASCII characters. Opaque to stores.
 */
public record JobInfo(String id, String task, String queue, JobState state, int priority, String argsJson,
    @Nullable String resultJson, @Nullable String errorJson, @Nullable String deadReason,
    @Nullable String uniqueKey, int attempt, int failures, int workerLost, long fence, @Nullable String workerId,
    boolean cancelRequested, Instant createdAt, Instant runAt, @Nullable Instant startedAt,
    @Nullable Instant finishedAt, @Nullable Instant expiresAt, long finishSeq, JobPolicy policy,
    @Nullable String traceContext) {

  /** The longest trace context a job may carry, in characters (a traceparent is 55, a tracestate up to 512). */
  public static final int MAX_TRACE_CONTEXT = 1024;

  /** Dead-letter reason: the worker running the job died {@link JobPolicy#maxWorkerLost()} times. */
  public static final String WORKER_LOST = "worker_lost";
  /** Dead-letter reason: no task of that name in the worker's registry. */
  public static final String UNKNOWN_TASK = "unknown_task";
  /** Dead-letter reason: the arguments could not be read as the task's input type. */
  public static final String BAD_ARGS = "bad_args";

  public JobInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(policy, "policy");
  }

  /** A snapshot without a trace context (the form before trace contexts existed). */
  public JobInfo(String id, String task, String queue, JobState state, int priority, String argsJson,
      @Nullable String resultJson, @Nullable String errorJson, @Nullable String deadReason,
      @Nullable String uniqueKey, int attempt, int failures, int workerLost, long fence, @Nullable String workerId,
      boolean cancelRequested, Instant createdAt, Instant runAt, @Nullable Instant startedAt,
      @Nullable Instant finishedAt, @Nullable Instant expiresAt, long finishSeq, JobPolicy policy) {
    this(id, task, queue, state, priority, argsJson, resultJson, errorJson, deadReason, uniqueKey, attempt,
        failures, workerLost, fence, workerId, cancelRequested, createdAt, runAt, startedAt, finishedAt, expiresAt,
        finishSeq, policy, null);
  }

  /**
   * Checks a trace context: {@code null}, or 1 to {@link #MAX_TRACE_CONTEXT} printable ASCII characters.
   *
   * @return the argument
   * @throws IllegalArgumentException if it is empty, too long or holds another character (the message
   *     gives the length or the position, never the value)
   */
  public static @Nullable String checkTraceContext(@Nullable String traceContext) {
    if (traceContext == null) {
      return null;
    }
    int n = traceContext.length();
    if (n == 0 || n > MAX_TRACE_CONTEXT) {
      throw new IllegalArgumentException("a trace context must have 1 to " + MAX_TRACE_CONTEXT
          + " characters, this one has " + n);
    }
    for (int i = 0; i < n; i++) {
      char c = traceContext.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException("a trace context must be printable ASCII; character " + i
            + " is U+" + String.format("%04X", (int) c));
      }
    }
    return traceContext;
  }

  /** The last failure, if any. */
  public Optional<JobError> error() {
    return errorJson == null ? Optional.empty() : Optional.of(JobError.fromJson(errorJson));
  }

  /** How long the current execution has run (RUNNING), or the last one took (finished); else empty. */
  public Optional<Duration> runtime(Instant now) {
    if (startedAt == null || state.isWaiting()) {
      return Optional.empty();
    }
    Instant end = finishedAt != null && !finishedAt.isBefore(startedAt) ? finishedAt : now;
    return Optional.of(Duration.between(startedAt, end));
  }

  /** A copy in another state (for stores building their next snapshot). */
  public JobInfo withState(JobState newState) {
    return new JobInfo(id, task, queue, newState, priority, argsJson, resultJson, errorJson, deadReason,
        uniqueKey, attempt, failures, workerLost, fence, workerId, cancelRequested, createdAt, runAt,
        startedAt, finishedAt, expiresAt, finishSeq, policy, traceContext);
  }
}
