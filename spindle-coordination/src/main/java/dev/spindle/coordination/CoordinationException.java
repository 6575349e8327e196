package dev.spindle.coordination;

/** The store of a coordinator failed or could not be reached; the operation may not have happened. */
public class CoordinationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With a message and cause. */
  public CoordinationException(String message, Throwable cause) {
    super(message, cause);
  }

  /** With a message. */
  public CoordinationException(String message) {
    super(message);
  }
}
