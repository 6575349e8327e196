package dev.spindle.internal.local;

import dev.spindle.TaskContext;
import dev.spindle.TaskFailedException;
import dev.spindle.spi.CompletableTaskFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * One queued unit of work of a local executor: its future, its {@link TaskContext} and its code in
 * one object, so that a submission allocates little. Thread-safe as a future; the context methods
 * are meant for the running task.
 *
 * @param <O> what the future yields
 */
abstract class Job<O> extends CompletableTaskFuture<O> implements TaskContext {
  final LocalExecutor executor;
  /** The next job in a {@link JobQueue}; written only through its VarHandle. */
  @SuppressWarnings("unused")
  private volatile @Nullable Job<?> next;

  Job(LocalExecutor executor, long sequence, String taskName) {
    super(sequence, taskName);
    this.executor = executor;
  }

  /**
   * Runs the code and completes the future, recording statistics in {@code counters} before
   * completing it. Called by a worker after a successful {@link #tryStart}; never throws.
   */
  abstract void execute(Counters counters);

  /** What {@link java.util.concurrent.ExecutorService#shutdownNow()} hands back for this job. */
  abstract Runnable asRunnable();

  @Override
  protected void onCancelled(boolean wasStarted) {
    executor.cancelled(this, wasStarted);
  }

  @Override
  public String executionId() {
    return id();
  }

  @Override
  public int attempt() {
    return 1;
  }

  /** The running thread's name: workers are named after themselves (valid while running). */
  @Override
  public String workerName() {
    return Thread.currentThread().getName();
  }

  /**
   * What to complete the future with when the task threw {@code t}: the exception itself, or
   * wrapped when {@link java.util.concurrent.CompletableFuture} would misread it (a
   * {@link CancellationException} would look like a cancellation, a {@link CompletionException}
   * would be unwrapped).
   */
  Throwable asFailure(Throwable t) {
    if (t instanceof CancellationException || t instanceof CompletionException) {
      return new TaskFailedException(taskName(), executionId(), t);
    }
    return t;
  }
}
