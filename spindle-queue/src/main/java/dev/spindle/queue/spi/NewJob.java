package dev.spindle.queue.spi;

import dev.spindle.Task;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.WorkflowInput;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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
 */
public record NewJob(String task, String argsJson, String queue, int priority, Instant runAt, String uniqueKey,
    JobPolicy policy, Instant createdAt, List<Dependency> dependsOn, WorkflowInput input) {

  /** An ordinary job: no dependencies, its own arguments. */
  public NewJob(String task, String argsJson, String queue, int priority, Instant runAt, String uniqueKey,
      JobPolicy policy, Instant createdAt) {
    this(task, argsJson, queue, priority, runAt, uniqueKey, policy, createdAt, List.of(), WorkflowInput.ARGS);
  }

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException for an invalid name, more than {@link Dependency#MAX_PER_JOB}
   *     dependencies, the same dependency twice, or an input that needs dependencies it lacks
   */
  public NewJob {
    Task.validateName(task);
    Objects.requireNonNull(argsJson, "argsJson");
    JobOptions.validateQueue(queue);
    Objects.requireNonNull(runAt, "runAt");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(createdAt, "createdAt");
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
    return new NewJob(task, argsJson, queue, priority, runAt, uniqueKey, policy, createdAt, dependencies, from);
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
