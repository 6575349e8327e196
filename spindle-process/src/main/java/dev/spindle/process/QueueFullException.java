package dev.spindle.process;

/** A {@link JoinableQueue#put} found no room in time (Python's {@code queue.Full}). */
public class QueueFullException extends RuntimeException {
  /** With a message naming the queue, its size limit and the wait. */
  public QueueFullException(String message) {
    super(message);
  }
}
