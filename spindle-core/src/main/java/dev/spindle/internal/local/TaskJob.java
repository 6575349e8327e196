package dev.spindle.internal.local;

import dev.spindle.ExecutionLabel;
import dev.spindle.Task;
import org.jspecify.annotations.Nullable;

/** One execution of a task on one input, labelled or not (see {@link ExecutionLabel}). */
final class TaskJob<I, O> extends Job<O> {
  private final Task<I, O> task;
  private final I input;
  private final @Nullable ExecutionLabel label;

  TaskJob(LocalExecutor executor, long sequence, Task<I, O> task, I input, @Nullable ExecutionLabel label) {
    super(executor, sequence, task.name());
    this.task = task;
    this.input = input;
    this.label = label;
  }

  @Override
  public String executionId() {
    return label == null ? super.executionId() : label.executionId();
  }

  @Override
  public int attempt() {
    return label == null ? 1 : label.attempt();
  }

  @Override
  public @Nullable String traceContext() {
    return label == null ? null : label.traceContext();
  }

  Task<I, O> task() {
    return task;
  }

  I input() {
    return input;
  }

  @Override
  void execute(Counters counters) {
    long t0 = System.nanoTime();
    O out;
    try {
      out = task.run(input, this);
    } catch (Throwable t) {
      long dt = System.nanoTime() - t0;
      if (isDone()) {
        return; // cancelled while running: counted as cancelled
      }
      counters.record(true, dt);
      if (!fail(asFailure(t))) {
        counters.undo(true, dt);
      }
      return;
    }
    long dt = System.nanoTime() - t0;
    counters.record(false, dt);
    if (!succeed(out)) {
      counters.undo(false, dt);
    }
  }

  @Override
  Runnable asRunnable() {
    if (task == ClosureTasks.RUNNABLE) {
      return (Runnable) input;
    }
    if (task == ClosureTasks.CALLABLE) {
      java.util.concurrent.Callable<?> c = (java.util.concurrent.Callable<?>) input;
      return () -> {
        try {
          c.call();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      };
    }
    TaskJob<I, O> self = this;
    return () -> {
      try {
        task.run(input, self);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    };
  }
}
