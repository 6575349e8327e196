package dev.spindle.examples.spinner;

import java.util.Locale;

/** Where the spinner runs while the supervisor calls {@code slow()}. */
public enum SpinnerModel {
  /** A platform thread (spinner_thread.py). */
  THREADS,
  /** A child JVM signalled across the process boundary (spinner_proc.py). */
  PROCESSES,
  /** A virtual thread on the JVM's default scheduler (one carrier per core). */
  VIRTUAL,
  /**
   * Coroutines on one {@link dev.spindle.coroutine.EventLoop} (spinner_async.py): cooperative, so a
   * blocking or CPU-bound {@code slow()} that never suspends freezes the spinner.
   */
  COROUTINE;

  /** The name typed on the command line. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
