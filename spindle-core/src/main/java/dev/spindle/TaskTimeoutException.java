package dev.spindle;

/** A wait for a result ran out of time. The execution itself goes on unless cancelled. */
public class TaskTimeoutException extends RuntimeException {
  public TaskTimeoutException(String message) {
    super(message);
  }
}
