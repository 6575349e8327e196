package dev.spindle.process;

/** A {@link JoinableQueue#get} found no item in time (Python's {@code queue.Empty}). */
public class QueueEmptyException extends RuntimeException {
  /** With a message naming the queue and the wait. */
  public QueueEmptyException(String message) {
    super(message);
  }
}
