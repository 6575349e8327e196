package dev.spindle;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * Runs tasks on one {@link ExecutionModel}: Python's {@code Executor} (submit, map, shutdown) with
 * statistics and backpressure. Create one with {@link Spindle#executor(ExecutionModel)}.
 *
 * <p>Thread-safe: any thread may submit. {@link AutoCloseable}: {@link #close()} is a graceful
 * {@link #shutdown()} that waits for queued and running executions to finish.
 */
public interface TaskExecutor extends AutoCloseable {
  /** The immutable configuration this executor was built from. */
  ExecutorConfig config();

  /** Shorthand for {@code config().model()}. */
  default ExecutionModel model() {
    return config().model();
  }

  /**
   * Schedules one execution and returns at once. The task's exceptions surface at
   * {@link TaskFuture#result()}, never here.
   *
   * @throws RejectedSubmissionException if shut down, or if the backlog is full
   * @throws UnknownTaskException if the model needs the task in its registry and it is not there
   * @throws PayloadException if the input must be serialized and cannot be
   */
  <I, O> TaskFuture<O> submit(Task<I, O> task, I input);

  /**
   * Like {@link #submit(Task, Object)}, for an execution known outside this executor (a queue job's
   * attempt): the task's {@link TaskContext} reports the label's execution id and attempt. On
   * {@code DISTRIBUTED} the queue assigns its own job id and counts attempts itself, so the label is
   * not used there.
   *
   * @throws RejectedSubmissionException if shut down, or if the backlog is full
   * @throws UnknownTaskException if the model needs the task in its registry and it is not there
   * @throws PayloadException if the input must be serialized and cannot be
   */
  <I, O> TaskFuture<O> submit(Task<I, O> task, I input, ExecutionLabel label);

  /**
   * Runs the task on every input and yields the outputs in input order, lazily: inputs are read
   * and submitted as results are consumed, keeping a bounded window in flight, so an endless
   * iterable works. Closing the iterator cancels what is still pending.
   *
   * @see MapOptions for the timeout and chunk size
   */
  <I, O> ResultIterator<O> map(Task<I, O> task, Iterable<? extends I> inputs, MapOptions options);

  /** {@link #map(Task, Iterable, MapOptions)} with {@link MapOptions#defaults()}. */
  default <I, O> ResultIterator<O> map(Task<I, O> task, Iterable<? extends I> inputs) {
    return map(task, inputs, MapOptions.defaults());
  }

  /** A snapshot of the counters. Cheap; safe to call often. */
  ExecutorStats stats();

  /**
   * Stops accepting submissions; queued and running executions still finish. Idempotent; returns
   * at once.
   */
  void shutdown();

  /**
   * Stops accepting submissions, cancels every queued execution and interrupts (threads) or kills
   * (processes) the running ones.
   *
   * @return the executions that were queued and never started, now cancelled
   */
  List<TaskFuture<?>> shutdownNow();

  /**
   * Waits until every execution finished after a shutdown.
   *
   * @return true if terminated, false if the timeout elapsed first
   */
  boolean awaitTermination(Duration timeout) throws InterruptedException;

  /** True after {@link #shutdown()} or {@link #shutdownNow()}. */
  boolean isShutdown();

  /** True once shut down and every execution finished. */
  boolean isTerminated();

  /**
   * A standard {@link ExecutorService} view that runs {@link Runnable}s and
   * {@link java.util.concurrent.Callable}s on this executor's workers and shares its lifecycle.
   *
   * @throws UnsupportedOperationException for models whose workers live in other JVMs, where a
   *     closure cannot go; submit {@link Task}s there
   */
  default ExecutorService asExecutorService() {
    throw new UnsupportedOperationException(model() + " runs work in other JVMs, where a Java closure "
        + "cannot be sent; submit a Task from a TaskCatalog instead");
  }

  /** Graceful shutdown, waiting without limit for executions to finish. */
  @Override
  default void close() {
    shutdown();
    boolean interrupted = false;
    while (true) {
      try {
        if (awaitTermination(Duration.ofDays(365))) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
        shutdownNow();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
