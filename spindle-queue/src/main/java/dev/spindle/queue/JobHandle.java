package dev.spindle.queue;

import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.TaskInterruptedException;
import dev.spindle.TaskTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * A job in a durable queue, as seen by whoever enqueued it (or looked it up by id): the same feel as a
 * local {@link TaskFuture}. Every method reads the store, so the handle works from any process and
 * after restarts. Thread-safe.
 *
 * @param <O> the result type ({@link tools.jackson.databind.JsonNode} for jobs enqueued by task name)
 */
public interface JobHandle<O> {
  /** The job id. */
  String id();

  /** The task name. */
  String taskName();

  /**
   * False if the enqueue found an existing job with the same unique key and returned it instead of
   * adding one; true otherwise (also for handles looked up by id).
   */
  boolean isNew();

  /**
   * The job's current state.
   *
   * @throws JobNotFoundException if it no longer exists
   */
  JobState state();

  /** The job's current snapshot, or empty if it no longer exists. */
  Optional<JobInfo> info();

  /**
   * Waits until the job is terminal and returns its snapshot.
   *
   * @throws TaskTimeoutException if it is not terminal within {@code timeout}
   * @throws JobNotFoundException if it does not exist
   * @throws TaskInterruptedException if the waiting thread is interrupted (its flag stays set)
   */
  JobInfo await(Duration timeout);

  /**
   * Waits for and returns the result.
   *
   * @throws TaskFailedException if the job FAILED or is DEAD; its cause is a
   *     {@link dev.spindle.RemoteTaskException} with the remote type, message and stack
   * @throws CancellationException if it was cancelled
   * @throws TaskTimeoutException if it is not done within {@code timeout} (the job goes on)
   * @throws JobNotFoundException if it does not exist
   */
  O result(Duration timeout);

  /** {@link #result(Duration)} without a time limit. */
  O result();

  /**
   * Cancels the job: a waiting job never runs; a running one is stopped by its worker (interrupted,
   * or its worker process killed) at the worker's next heartbeat.
   *
   * @return true if it was cancelled or a cancel was requested; false if it had already finished
   * @throws JobNotFoundException if it does not exist
   */
  boolean cancel();

  /**
   * A {@link TaskFuture} completed when the job finishes; cancelling it cancels the job. The same
   * future is returned on every call.
   */
  TaskFuture<O> future();
}
