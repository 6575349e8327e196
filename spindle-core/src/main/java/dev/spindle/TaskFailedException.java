package dev.spindle;

import org.jspecify.annotations.Nullable;

/**
 * A task threw; {@link #getCause()} is what it threw (or a {@link RemoteTaskException} when it ran
 * in another JVM, or a {@link WorkerLostException} when its worker died).
 */
public class TaskFailedException extends RuntimeException {
  private final String taskName;
  private final String executionId;

  public TaskFailedException(String taskName, String executionId, @Nullable Throwable cause) {
    super("task '" + taskName + "' (execution " + executionId + ") failed: " + cause, cause);
    this.taskName = taskName;
    this.executionId = executionId;
  }

  /** The failed task's name. */
  public String taskName() {
    return taskName;
  }

  /** The failed execution's id. */
  public String executionId() {
    return executionId;
  }
}
