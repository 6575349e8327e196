package dev.spindle.process;

import dev.spindle.TaskExecutor;

/**
 * What a {@code PROCESSES} executor tells beyond {@link TaskExecutor}: its worker processes.
 * Every executor the process provider creates implements it; get one with {@link #of}.
 * Thread-safe; the arrays are snapshots.
 */
public interface ProcessPool extends TaskExecutor {
  /** The pid of each worker slot's live process, or -1 where none runs at the moment. */
  long[] workerPids();

  /** Milliseconds from launch to ready of each slot's current worker, or -1 where not ready. */
  long[] workerStartupMillis();

  /**
   * The executor as a process pool.
   *
   * @throws IllegalArgumentException if it is not a {@code PROCESSES} executor
   */
  static ProcessPool of(TaskExecutor executor) {
    if (executor instanceof ProcessPool p) {
      return p;
    }
    throw new IllegalArgumentException(executor + " is not a PROCESSES executor (model " + executor.model() + ")");
  }
}
