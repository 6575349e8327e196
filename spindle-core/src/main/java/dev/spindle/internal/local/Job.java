package dev.spindle.internal.local;

import dev.spindle.TaskContext;
import dev.spindle.TaskFailedException;
import dev.spindle.spi.CompletableTaskFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
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

  /** Run once, just before the task's outcome completes the future: see {@link #beforeOutcome}. */
  private final AtomicReference<@Nullable Runnable> beforeOutcome = new AtomicReference<>();

  Job(LocalExecutor executor, long sequence, String taskName) {
    super(sequence, taskName);
    this.executor = executor;
  }

  /**
   * Runs the code and completes the future, recording statistics in {@code counters} before
   * completing it. Called by a worker after a successful {@link #tryStart}; never throws.
   */
  abstract void execute(Counters counters);

  /**
   * Runs {@code r} once, just before the task's outcome completes the future (or at
   * {@link #settled()}, whichever comes first), so that whoever sees the outcome also sees what
   * {@code r} does: an executor frees the job's backlog slot this way, and a caller who got a
   * result may submit again at once.
   */
  final void beforeOutcome(Runnable r) {
    beforeOutcome.set(r);
  }

  /** Runs what {@link #beforeOutcome} set, if it has not run yet. */
  final void settled() {
    Runnable r = beforeOutcome.getAndSet(null);
    if (r != null) {
      r.run();
    }
  }

  @Override
  public boolean succeed(O value) {
    settled();
    return super.succeed(value);
  }

  @Override
  public boolean fail(Throwable error) {
    settled();
    return super.fail(error);
  }

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
