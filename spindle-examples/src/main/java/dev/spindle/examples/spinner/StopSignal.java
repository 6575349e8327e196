package dev.spindle.examples.spinner;

import java.time.Duration;

/**
 * The "done" flag a {@link Spinner} waits on between frames (Python's {@code threading.Event} or
 * {@code multiprocessing.Event}). Implementations are thread-safe; once set, a signal stays set.
 */
public interface StopSignal {
  /**
   * Waits until the signal is set or the timeout elapses ({@code Event.wait(timeout)}).
   *
   * @return true if set, false if the timeout elapsed first
   */
  boolean await(Duration timeout) throws InterruptedException;

  /** True once {@link #set()} was called. */
  boolean isSet();

  /** Sets the signal, waking every waiter. Idempotent. */
  void set();
}
