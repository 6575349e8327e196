package dev.spindle.examples.spinner;

import java.util.OptionalLong;

/**
 * The spinner's thread or process as the supervisor sees it (Python's {@code Thread}, {@code Process}
 * or {@code Task}). {@code toString()} shows its name and state, and for a process the parent's
 * pid: {@code spinner object: Thread[name=Thread-1 (spin), state=NEW]}. Start, stop and join are
 * called once each, in that order, by the supervisor's thread.
 */
public interface SpinnerHandle {
  /** Starts the animation. */
  void start();

  /** Sets the spinner's stop signal ({@code done.set()}). */
  void stop();

  /** Waits for the spinner to clear its line and end. */
  void join() throws InterruptedException;

  /** Frames printed so far, if this JVM can count them (not for a child process). */
  OptionalLong frames();
}
