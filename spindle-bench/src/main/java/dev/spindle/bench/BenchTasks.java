package dev.spindle.bench;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import java.util.Collection;
import java.util.List;

/** Tasks of the executor benchmarks, as a portable catalog (so child JVMs can run them too). */
public final class BenchTasks implements TaskCatalog {
  /** Returns its input: measures the executor, not the work. */
  public static final Task<Long, Long> NOOP = Task.of("bench.noop", Long.class, Long.class, x -> x);

  /** Used by {@link dev.spindle.TaskRegistry}. */
  public BenchTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(NOOP);
  }
}
