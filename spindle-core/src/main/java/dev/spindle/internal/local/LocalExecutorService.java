package dev.spindle.internal.local;

import dev.spindle.TaskFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The {@link java.util.concurrent.ExecutorService} view of a local executor: closures run on its
 * workers as executions of the built-in tasks {@code spindle.runnable} / {@code spindle.callable}
 * (so they share its backlog, statistics and life cycle). {@code submit} returns the
 * {@link TaskFuture}s themselves; rejections are {@link dev.spindle.RejectedSubmissionException}s
 * (a {@link java.util.concurrent.RejectedExecutionException}). {@link #shutdownNow()} returns the
 * original {@link Runnable}s of work that never started. Thread-safe.
 */
final class LocalExecutorService extends AbstractExecutorService {
  private final LocalExecutor executor;

  LocalExecutorService(LocalExecutor executor) {
    this.executor = executor;
  }

  @Override
  public void execute(Runnable command) {
    executor.submitClosure(ClosureTasks.RUNNABLE, Objects.requireNonNull(command, "command"));
  }

  @Override
  public Future<?> submit(Runnable task) {
    return executor.submitClosure(ClosureTasks.RUNNABLE, Objects.requireNonNull(task, "task"));
  }

  @Override
  public <T> Future<T> submit(Runnable task, T result) {
    Objects.requireNonNull(task, "task");
    return submit(() -> {
      task.run();
      return result;
    });
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> Future<T> submit(Callable<T> task) {
    return (Future<T>) (TaskFuture<?>) executor.submitClosure(ClosureTasks.CALLABLE, Objects.requireNonNull(task, "task"));
  }

  @Override
  public void shutdown() {
    executor.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    List<Runnable> out = new ArrayList<>();
    for (TaskFuture<?> f : executor.shutdownNow()) {
      out.add(((Job<?>) f).asRunnable());
    }
    return out;
  }

  @Override
  public boolean isShutdown() {
    return executor.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return executor.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return executor.awaitTermination(Duration.ofNanos(unit.toNanos(timeout)));
  }

  @Override
  public String toString() {
    return "ExecutorService view of " + executor;
  }
}
