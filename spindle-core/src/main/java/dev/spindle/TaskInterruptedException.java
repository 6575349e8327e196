package dev.spindle;

/**
 * The thread waiting for a result was interrupted. The thread's interrupt flag is set again before
 * this is thrown.
 */
public class TaskInterruptedException extends RuntimeException {
  public TaskInterruptedException(String message, InterruptedException cause) {
    super(message, cause);
  }
}
