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
   * Virtual threads on a single-carrier scheduler in a child JVM: cooperative, like asyncio's event
   * loop (spinner_async.py): a CPU-bound {@code slow()} that never yields freezes the spinner.
   */
  COROUTINE;

  /** The name typed on the command line. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
