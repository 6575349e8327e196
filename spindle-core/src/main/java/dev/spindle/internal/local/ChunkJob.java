package dev.spindle.internal.local;

import dev.spindle.Task;
import dev.spindle.spi.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * Several inputs of one task run one after the other on one worker, for
 * {@link dev.spindle.TaskExecutor#map} ({@link dev.spindle.MapOptions#chunkSize()}). Each input
 * counts as one execution in the statistics; a failed input does not stop the others.
 */
final class ChunkJob<I, O> extends Job<List<Outcome<O>>> {
  private final Task<I, O> task;
  private final List<I> inputs;
  private int element;

  ChunkJob(LocalExecutor executor, long sequence, Task<I, O> task, List<I> inputs) {
    super(executor, sequence, task.name());
    this.task = task;
    this.inputs = inputs;
  }

  @Override
  public String executionId() {
    return inputs.size() == 1 ? id() : id() + "[" + element + "]";
  }

  @Override
  void execute(Counters counters) {
    int n = inputs.size();
    List<Outcome<O>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (isDone()) {
        return; // cancelled
      }
      element = i;
      long t0 = System.nanoTime();
      try {
        O value = task.run(inputs.get(i), this);
        counters.record(false, System.nanoTime() - t0);
        out.add(Outcome.success(value));
      } catch (Throwable t) {
        if (isDone()) {
          return;
        }
        counters.record(true, System.nanoTime() - t0);
        out.add(Outcome.failure(asFailure(t)));
      }
    }
    succeed(out);
  }

  @Override
  Runnable asRunnable() {
    ChunkJob<I, O> self = this;
    return () -> {
      for (I in : inputs) {
        try {
          task.run(in, self);
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      }
    };
  }
}
