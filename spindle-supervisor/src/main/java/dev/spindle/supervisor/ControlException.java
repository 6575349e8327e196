package dev.spindle.supervisor;

/**
 * A control request failed: no master is listening on the socket, or the master refused the
 * request (unknown service, bad count, stopping); the message says which.
 */
public class ControlException extends RuntimeException {
  /** With a message. */
  public ControlException(String message) {
    super(message);
  }

  /** With a message and cause. */
  public ControlException(String message, Throwable cause) {
    super(message, cause);
  }
}
