package dev.spindle;

/**
 * A task name was not in the {@link TaskRegistry} allow-list. The message names the task and the
 * registry's known tasks.
 */
public class UnknownTaskException extends IllegalArgumentException {
  private final String taskName;

  public UnknownTaskException(String taskName, String message) {
    super(message);
    this.taskName = taskName;
  }

  /** The name that was looked up. */
  public String taskName() {
    return taskName;
  }
}
