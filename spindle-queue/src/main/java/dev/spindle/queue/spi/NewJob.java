package dev.spindle.queue.spi;

import dev.spindle.Task;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.WorkflowInput;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

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
 * @param dependsOn the jobs it waits for (WAITING until they end; see
 *     {@link dev.spindle.queue.DependencyPolicy}); empty for an ordinary job
 * @param input where its input comes from: {@link WorkflowInput#ARGS} ({@code argsJson}), or its
 *     dependencies' results or outcomes, written by the store when it is released
 * @param traceContext the producer's W3C trace context in the form {@link JobInfo#traceContext()}
 *     documents (at most {@link JobInfo#MAX_TRACE_CONTEXT} printable ASCII characters), or
 *     {@code null}; stored in the same write that makes the job visible, so a worker never sees the
 *     job without it
 * @param flowKey its flow-control key {@code limit:value} ({@link dev.spindle.queue.FlowLimit#keyFor}),
 *     a {@link FlowControl#badKey} (the store dead-letters the job at once with reason {@link
 *     FlowControl#BAD_FLOW_KEY}), or {@code null} for none
 */
public record NewJob(String task, String argsJson, String queue, int priority, Instant runAt,
    @Nullable String uniqueKey, JobPolicy policy, Instant createdAt, List<Dependency> dependsOn, WorkflowInput input,
    @Nullable String traceContext, @Nullable String flowKey) {

  /** A job without a flow key. */
  public NewJob(String task, String argsJson, String queue, int priority, Instant runAt, @Nullable String uniqueKey,
      JobPolicy policy, Instant createdAt, List<Dependency> dependsOn, WorkflowInput input,
      @Nullable String traceContext) {
    this(task, argsJson, queue, priority, runAt, uniqueKey, policy, createdAt, dependsOn, input, traceContext, null);
  }

  /** An ordinary job: no dependencies, its own arguments, no trace context. */
  public NewJob(String task, String argsJson, String queue, int priority, Instant runAt, @Nullable String uniqueKey,
      JobPolicy policy, Instant createdAt) {
    this(task, argsJson, queue, priority, runAt, uniqueKey, policy, createdAt, List.of(), WorkflowInput.ARGS, null);
  }

  /** An ordinary job with a trace context ({@code null} for none). */
  public NewJob(String task, String argsJson, String queue, int priority, Instant runAt, @Nullable String uniqueKey,
      JobPolicy policy, Instant createdAt, @Nullable String traceContext) {
    this(task, argsJson, queue, priority, runAt, uniqueKey, policy, createdAt, List.of(), WorkflowInput.ARGS,
        traceContext);
  }

  /** A job with dependencies and no trace context. */
  public NewJob(String task, String argsJson, String queue, int priority, Instant runAt, @Nullable String uniqueKey,
      JobPolicy policy, Instant createdAt, List<Dependency> dependsOn, WorkflowInput input) {
    this(task, argsJson, queue, priority, runAt, uniqueKey, policy, createdAt, dependsOn, input, null);
  }

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException for an invalid name, more than {@link Dependency#MAX_PER_JOB}
   *     dependencies, the same dependency twice, an input that needs dependencies it lacks, or a
   *     trace context that is too long or not printable ASCII
   * @throws NullPointerException if a required field is null
   */
  public NewJob {
    Task.validateName(task);
    JobOptions.validateQueue(queue);
    Objects.requireNonNull(argsJson, "argsJson");
    Objects.requireNonNull(runAt, "runAt");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(createdAt, "createdAt");
    JobInfo.checkTraceContext(traceContext);
    if (flowKey != null && (flowKey.isEmpty() || flowKey.length() > 1000)) {
      throw new IllegalArgumentException("a flow key has 1 to 1000 characters: '" + flowKey + "'");
    }
    dependsOn = List.copyOf(dependsOn);
    Objects.requireNonNull(input, "input");
    if (dependsOn.size() > Dependency.MAX_PER_JOB) {
      throw new IllegalArgumentException("a job may depend on at most " + Dependency.MAX_PER_JOB + " jobs, not "
          + dependsOn.size());
    }
    Set<String> seen = new HashSet<>();
    for (Dependency d : dependsOn) {
      if (!seen.add(d.on())) {
        throw new IllegalArgumentException("the job depends on " + d.on() + " twice");
      }
    }
    if (input != WorkflowInput.ARGS && dependsOn.isEmpty()) {
      throw new IllegalArgumentException("input " + input + " comes from dependencies, and the job has none");
    }
    if (input == WorkflowInput.RESULT && dependsOn.size() != 1) {
      throw new IllegalArgumentException("input RESULT takes the result of one dependency; the job has "
          + dependsOn.size() + " (use RESULTS)");
    }
  }

  /** This job waiting for {@code dependencies}, its input from {@code from}. */
  public NewJob dependingOn(List<Dependency> dependencies, WorkflowInput from) {
    return new NewJob(task, argsJson, queue, priority, runAt, uniqueKey, policy, createdAt, dependencies, from,
        traceContext, flowKey);
  }

  /** A copy with another trace context ({@code null} for none). */
  public NewJob withTraceContext(@Nullable String context) {
    return new NewJob(task, argsJson, queue, priority, runAt, uniqueKey, policy, createdAt, dependsOn, input,
        context, flowKey);
  }

  /** A copy with another flow key ({@code null} for none). */
  public NewJob withFlowKey(@Nullable String key) {
    return new NewJob(task, argsJson, queue, priority, runAt, uniqueKey, policy, createdAt, dependsOn, input,
        traceContext, key);
  }

  /** True if it waits for other jobs. */
  public boolean hasDependencies() {
    return !dependsOn.isEmpty();
  }

  /** True if the job waits for its run time (SCHEDULED) rather than being ready (QUEUED). */
  public boolean isDelayed() {
    return runAt.isAfter(createdAt);
  }
}
