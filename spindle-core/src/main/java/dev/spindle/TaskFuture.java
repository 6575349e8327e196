package dev.spindle;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The pending result of one task execution, on any {@link ExecutionModel}.
 *
 * <p>A task's exception never surfaces at submission; it surfaces here, wrapped in a
 * {@link TaskFailedException} whose cause is the task's own exception (for child JVMs, a
 * {@link RemoteTaskException} carrying the remote type, message and stack trace).
 *
 * <p>Cancellation: a queued execution never runs; a running one is interrupted (threads) or its
 * worker process is killed and replaced (processes). Thread-safe.
 *
 * @param <O> output type
 */
public interface TaskFuture<O> extends Future<O> {
  /** The execution's key, unique within its executor (for queues: the job id). */
  String id();

  /** The task's name. */
  String taskName();

  /**
   * Waits for and returns the output.
   *
   * @throws TaskFailedException if the task threw; its cause is the task's exception
   * @throws CancellationException if the execution was cancelled
   * @throws TaskInterruptedException if the waiting thread was interrupted (its flag stays set)
   */
  O result();

  /**
   * Waits at most {@code timeout} for the output. Does not cancel the execution on timeout.
   *
   * @throws TaskTimeoutException if it is not done in time
   * @throws TaskFailedException if the task threw
   * @throws CancellationException if the execution was cancelled
   */
  O result(Duration timeout);

  /**
   * Waits at most {@code timeout} and returns the task's exception, or {@code null} if it
   * succeeded.
   *
   * @throws TaskTimeoutException if it is not done in time
   * @throws CancellationException if the execution was cancelled
   */
  @Nullable Throwable exception(Duration timeout);

  /** True once a worker began running the execution (it may be done since). */
  boolean isStarted();

  /**
   * Adds a callback run once the execution is done (succeeded, failed or cancelled). Callbacks run
   * in the order they were added, on the thread that completes the future, or at once on the
   * calling thread if it is already done. An exception thrown by a callback is logged and ignored.
   *
   * @return this future
   */
  TaskFuture<O> onDone(Consumer<? super TaskFuture<O>> callback);

  /**
   * A {@link CompletableFuture} completed with this future's outcome, for composition. Completing
   * or cancelling the returned future does not affect the execution; call {@link #cancel} here.
   */
  CompletableFuture<O> toCompletableFuture();
}
