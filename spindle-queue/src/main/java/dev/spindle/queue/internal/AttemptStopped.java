package dev.spindle.queue.internal;

/**
 * Unwinds a durable job's task when its attempt ends inside a durable call: it suspended (a timer or
 * a signal wait; the store already moved the job) or its writes were fenced off. The worker decides
 * by the flags on the job ({@link InFlight#suspended}, {@link InFlight#lost}), not by this
 * exception, so a task that catches it changes nothing. Thread-safe (immutable).
 */
final class AttemptStopped extends RuntimeException {
  private static final long serialVersionUID = 1L;

  AttemptStopped(String message) {
    super(message, null, false, false);
  }
}
