package dev.spindle;

import org.jspecify.annotations.Nullable;

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
   * The W3C trace context of this execution ({@code traceparent}, then {@code ';'} and the
   * {@code tracestate} if any), for example that of a queue job's attempt, or {@code null} if it has
   * none (the default).
   */
  default @Nullable String traceContext() {
    return null;
  }

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
