package dev.spindle;

import org.jspecify.annotations.Nullable;

/**
 * What a running task may know about its execution, and what it may report while it runs. Passed to
 * {@link TaskFunction#run}; valid only during that call and only on the thread that runs it (the
 * reporting methods, {@link #progress} and {@link #log}, may be called from any thread).
 *
 * <p>Progress and log lines: a job of the durable queue run by a worker in its own JVM keeps the
 * latest {@link #progress} and its last log lines with the job in the store, where the dashboard,
 * the REST API and {@code spindle jobs show --follow} read them while it runs and after it ended.
 * The worker buffers them and writes them in batches (see the queue's {@code Worker.Builder
 * #progressFlushInterval}), so a call costs no store round trip. Everywhere else (an executor's
 * task, a child JVM of the {@code DISTRIBUTED} model) the calls check their arguments as documented
 * and keep nothing.
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

  /** How important a {@linkplain #log log line} is. */
  enum LogLevel {
    /** Detail for whoever debugs the task. */
    DEBUG,
    /** Normal progress of the work (the default of {@link #log(String)}). */
    INFO,
    /** Something unexpected that the task handled. */
    WARN,
    /** Something failed; the task may go on or fail. */
    ERROR
  }

  /**
   * Reports how far the execution has come: {@code fraction} of the work done, from 0 to 1, and a
   * short message saying what it does now. A later call replaces an earlier one; the fraction may go
   * down (a phase that restarts). A message longer than the worker's line limit is cut there and ends
   * with {@code "…"}. Outside a queue job, checks its arguments and keeps nothing.
   *
   * @param fraction 0 to 1 (both included)
   * @param message what the task does now, e.g. {@code "resizing image 3 of 10"}; may be empty
   * @throws IllegalArgumentException if {@code fraction} is NaN, below 0 or above 1
   * @throws NullPointerException if {@code message} is null
   */
  default void progress(double fraction, String message) {
    checkProgress(fraction, message);
  }

  /** {@link #progress(double, String)} with an empty message. */
  default void progress(double fraction) {
    progress(fraction, "");
  }

  /**
   * Adds a line to the execution's log: a queue job keeps its last lines (the worker's limit, 100
   * by default), older ones are dropped. A line longer than the worker's line limit (2,000
   * characters by default) is cut there and ends with {@code "…"}. Outside a queue job, checks its
   * arguments and keeps nothing. Log lines are job data: the dashboard hides them for jobs with
   * encrypted or sensitive payloads, yet they are stored as given, so never log secrets.
   *
   * @throws NullPointerException if {@code level} or {@code message} is null
   */
  default void log(LogLevel level, String message) {
    checkLog(level, message);
  }

  /** {@link #log(LogLevel, String)} at {@link LogLevel#INFO}. */
  default void log(String message) {
    log(LogLevel.INFO, message);
  }

  /**
   * Checks the arguments of {@link #progress(double, String)}.
   *
   * @throws IllegalArgumentException if {@code fraction} is NaN, below 0 or above 1
   * @throws NullPointerException if {@code message} is null
   */
  static void checkProgress(double fraction, String message) {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("progress fraction must be from 0 to 1, got " + fraction);
    }
    java.util.Objects.requireNonNull(message, "progress message (use \"\" for none)");
  }

  /**
   * Checks the arguments of {@link #log(LogLevel, String)}.
   *
   * @throws NullPointerException if {@code level} or {@code message} is null
   */
  static void checkLog(LogLevel level, String message) {
    java.util.Objects.requireNonNull(level, "log level");
    java.util.Objects.requireNonNull(message, "log message");
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
