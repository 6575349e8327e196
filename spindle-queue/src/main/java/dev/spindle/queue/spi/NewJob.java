package dev.spindle.queue.spi;

import dev.spindle.Task;
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
 */
public record NewJob(String task, String argsJson, String queue, int priority, Instant runAt, String uniqueKey,
    JobPolicy policy, Instant createdAt) {
  public NewJob {
    Task.validateName(task);
    Objects.requireNonNull(argsJson, "argsJson");
    JobOptions.validateQueue(queue);
    Objects.requireNonNull(runAt, "runAt");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** True if the job waits for its run time (SCHEDULED) rather than being ready (QUEUED). */
  public boolean isDelayed() {
    return runAt.isAfter(createdAt);
  }
}
