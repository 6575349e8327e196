package dev.spindle.queue.spi;

import dev.spindle.Task;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import java.time.Instant;
import java.util.Objects;

/**
 * A job to add to a store. Immutable.
 *
 * @param task the task name (validated)
 * @param argsJson the input as JSON text (already validated and size-checked by the client)
 * @param queue the queue name (validated)
 * @param priority higher runs first
 * @param runAt when it may first run; a time after {@code createdAt} makes it SCHEDULED, else QUEUED
 * @param uniqueKey the idempotency key, or {@code null}
 * @param policy timeout, retry and retention rules
 * @param createdAt the enqueue time (the client's clock)
 * @param traceContext the producer's W3C trace context in the form {@link JobInfo#traceContext()} documents
 *     (at most {@link JobInfo#MAX_TRACE_CONTEXT} printable ASCII characters), or {@code null}; stored in the
 *     same write that makes the job visible, so a worker never sees the job without it
 */
public record NewJob(String task, String argsJson, String queue, int priority, Instant runAt, String uniqueKey,
    JobPolicy policy, Instant createdAt, String traceContext) {
  /**
   * Validates the fields.
   *
   * @throws IllegalArgumentException if a name is invalid or the trace context is too long or not printable ASCII
   * @throws NullPointerException if a required field is null
   */
  public NewJob {
    Task.validateName(task);
    Objects.requireNonNull(argsJson, "argsJson");
    JobOptions.validateQueue(queue);
    Objects.requireNonNull(runAt, "runAt");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(createdAt, "createdAt");
    JobInfo.checkTraceContext(traceContext);
  }

  /** A job without a trace context. */
  public NewJob(String task, String argsJson, String queue, int priority, Instant runAt, String uniqueKey,
      JobPolicy policy, Instant createdAt) {
    this(task, argsJson, queue, priority, runAt, uniqueKey, policy, createdAt, null);
  }

  /** A copy with another trace context ({@code null} for none). */
  public NewJob withTraceContext(String context) {
    return new NewJob(task, argsJson, queue, priority, runAt, uniqueKey, policy, createdAt, context);
  }

  /** True if the job waits for its run time (SCHEDULED) rather than being ready (QUEUED). */
  public boolean isDelayed() {
    return runAt.isAfter(createdAt);
  }
}
