package dev.spindle.queue;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A hook for metrics and tracing, with no dependency on any metrics or tracing library (the module
 * {@code spindle-metrics} implements it with Micrometer and OpenTelemetry). Given to
 * {@link JobQueue.Builder#observer}, {@link Worker.Builder#observer} and
 * {@link DistributedOptions.Builder#observer}; the default, {@link #NONE}, does nothing and costs
 * nothing.
 *
 * <p>Calls are made synchronously on the thread that causes them (a producer's thread, a worker's
 * dispatcher, a task's completing thread), except {@link Attempt#finished}: a worker delivers the
 * ends of the attempts whose outcomes one store call wrote together, in order, on its own observer
 * thread, so that metrics and tracing stay off the loop that writes outcomes and claims jobs; all
 * of them before the worker's {@code stop} or {@code close} returns. Implementations must be
 * quick, must not block and must be thread-safe. An exception they throw is logged and ignored: it
 * never changes what happens to a job.
 *
 * <p>Per job attempt the worker calls {@link #started} exactly once and then the returned
 * {@link Attempt}'s {@link Attempt#finished} exactly once (unless the worker itself dies).
 */
public interface JobObserver {
  /** Does nothing. */
  JobObserver NONE = new JobObserver() { };

  /**
   * The trace context to store with a job being enqueued now on the calling thread, in the form
   * {@link JobInfo#traceContext()} documents, or {@code null} (the default) for none. It is written
   * in the same store call that makes the job visible. A value that does not pass
   * {@link JobInfo#checkTraceContext} is dropped (logged once).
   *
   * @param queue the job's queue
   * @param task the job's task name
   */
  default @Nullable String captureContext(String queue, String task) {
    return null;
  }

  /**
   * A job was added to the store (not called for an existing job returned for its unique key).
   *
   * @param queue the job's queue
   * @param task the job's task name
   */
  default void enqueued(String queue, String task) { }

  /**
   * A worker claimed a job and is about to start an attempt (also when the attempt ends at once,
   * for example dead-lettered for an unknown task).
   *
   * @param job the claimed job (RUNNING, {@link JobInfo#attempt()} counts this attempt)
   * @param waited how long it waited to start: from its run time (the enqueue time, the due time of
   *     a delayed job or of a retry) to the claim, never negative
   * @return this attempt's handle; {@link Attempt#NONE} by default
   */
  default Attempt started(JobInfo job, Duration waited) {
    return Attempt.NONE;
  }

  /** How an attempt ended. */
  enum Outcome {
    /** The task returned and its result was stored. */
    SUCCEEDED,
    /** It failed for good (FAILED). */
    FAILED,
    /** It failed and another attempt is scheduled. */
    RETRIED,
    /** It was dead-lettered (unknown task, bad arguments). */
    DEAD,
    /** It was cancelled. */
    CANCELLED,
    /** The worker handed the job back (stopping, executor refused it); it runs again. */
    RELEASED,
    /** The worker lost its lease on the job; its outcome was discarded. */
    LOST;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** The lower-case name used as a metric label. */
    public String label() {
      return label;
    }
  }

  /** One attempt of a job on a worker. Thread-safe; see {@link JobObserver} for the rules. */
  interface Attempt {
    /** Does nothing. */
    Attempt NONE = new Attempt() { };

    /**
     * The context of this attempt, handed to the execution (a child JVM receives it on the
     * PROCESSES model), in the form {@link JobInfo#traceContext()} documents; {@code null} by default.
     */
    default @Nullable String traceContext() {
      return null;
    }

    /**
     * Makes this attempt current on the calling thread, the one about to run the task (so spans and
     * logs the task makes belong to it); close the scope on the same thread when the task returns.
     */
    default Scope open() {
      return Scope.NOOP;
    }

    /**
     * The attempt ended and its outcome was written (or, for {@link Outcome#LOST}, discarded).
     *
     * @param outcome how it ended
     * @param runTime how long the execution ran, measured on the worker's monotonic clock
     * @param error the failure for FAILED, RETRIED and DEAD; else {@code null}
     */
    default void finished(Outcome outcome, Duration runTime, @Nullable JobError error) { }
  }

  /** An open {@link Attempt#open()} scope. */
  @FunctionalInterface
  interface Scope extends AutoCloseable {
    /** Does nothing. */
    Scope NOOP = () -> { };

    /** Undoes {@link Attempt#open()}; never throws. */
    @Override
    void close();
  }
}
