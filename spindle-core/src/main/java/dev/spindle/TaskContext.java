package dev.spindle;

/**
 * What a running task may know about its execution. Passed to {@link TaskFunction#run}; valid only
 * during that call and only on the thread that runs it.
 */
public interface TaskContext {
  /** The task's name. */
  String taskName();

  /** An identifier of this execution, unique within its executor or queue (the job key). */
  String executionId();

  /** 1 for the first attempt; higher when a durable queue retries the job. */
  int attempt();

  /** A human-readable name of the worker running the task, e.g. {@code primes worker(0)}. */
  String workerName();

  /**
   * True once the execution was cancelled or timed out. Long CPU-bound loops should poll this (or
   * {@link #checkCancelled()}) because a running thread cannot be stopped from outside.
   */
  boolean isCancelled();

  /**
   * Throws {@link java.util.concurrent.CancellationException} if {@link #isCancelled()}.
   */
  default void checkCancelled() {
    if (isCancelled()) {
      throw new java.util.concurrent.CancellationException(
          "execution " + executionId() + " of " + taskName() + " was cancelled");
    }
  }
}
