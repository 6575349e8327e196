package dev.spindle;

import org.jspecify.annotations.Nullable;

/**
 * The worker running a task died before answering (killed, crashed, out of memory). Names the
 * worker and, for processes, its pid and exit status.
 */
public class WorkerLostException extends RuntimeException {
  private final String workerName;
  private final long pid;
  private final int exitStatus;

  /**
   * @param pid the worker's process id, or -1 if not a process
   * @param exitStatus the exit status ({@code 128+N} for signal N, as a shell reports it), or -1
   */
  public WorkerLostException(String workerName, long pid, int exitStatus, @Nullable String detail) {
    super("worker '" + workerName + "'" + (pid >= 0 ? " (pid " + pid + ")" : "")
        + " died while running the task" + (exitStatus >= 0 ? "; exit status " + exitStatus
        + (exitStatus > 128 ? " (signal " + (exitStatus - 128) + ")" : "") : "")
        + (detail == null || detail.isEmpty() ? "" : "; " + detail));
    this.workerName = workerName;
    this.pid = pid;
    this.exitStatus = exitStatus;
  }

  /** The lost worker's name. */
  public String workerName() {
    return workerName;
  }

  /** Its process id, or -1. */
  public long pid() {
    return pid;
  }

  /** Its exit status, or -1 if unknown. */
  public int exitStatus() {
    return exitStatus;
  }
}
