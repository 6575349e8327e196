package dev.spindle.queue;

import dev.spindle.Task;
import java.util.Objects;

/**
 * One job of a batch enqueue by task name ({@link JobQueue#enqueueAll(java.util.List)}). Immutable.
 *
 * @param taskName the task name
 * @param argsJson the input as JSON text
 * @param options per-job options
 */
public record JobRequest(String taskName, String argsJson, JobOptions options) {
  public JobRequest {
    Task.validateName(taskName);
    Objects.requireNonNull(argsJson, "argsJson");
    Objects.requireNonNull(options, "options");
  }

  /** With default options. */
  public static JobRequest of(String taskName, String argsJson) {
    return new JobRequest(taskName, argsJson, JobOptions.defaults());
  }
}
