package dev.spindle;

/**
 * A task input or output could not be converted to or from JSON, or was larger than the configured
 * limit. The message names the task, the type and what was wrong.
 */
public class PayloadException extends IllegalArgumentException {
  public PayloadException(String message, Throwable cause) {
    super(message, cause);
  }

  public PayloadException(String message) {
    super(message);
  }
}
