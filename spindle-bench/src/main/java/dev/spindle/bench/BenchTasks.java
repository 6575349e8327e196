package dev.spindle.bench;

import dev.spindle.MapOptions;
import dev.spindle.ResultIterator;
import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.TaskExecutor;
import java.util.Collection;
import java.util.Iterator;
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

  /**
   * Maps {@link #NOOP} over 0 .. n-1 on {@code pool} with this chunk size (inputs made lazily),
   * checks that every result came back, and returns the elapsed nanoseconds.
   */
  static long mapNoops(TaskExecutor pool, int n, int chunk) {
    Iterable<Long> inputs = () -> new Iterator<>() {
      long next;

      @Override
      public boolean hasNext() {
        return next < n;
      }

      @Override
      public Long next() {
        return next++;
      }
    };
    long t0 = System.nanoTime();
    long sum = 0;
    try (ResultIterator<Long> it = pool.map(NOOP, inputs, MapOptions.defaults().withChunkSize(chunk))) {
      while (it.hasNext()) {
        sum += it.next();
      }
    }
    long ns = System.nanoTime() - t0;
    checkSum(sum, n);
    return ns;
  }

  /** Throws unless {@code sum} is 0 + 1 + ... + (n - 1): every no-op result came back once. */
  static void checkSum(long sum, long n) {
    long expected = n * (n - 1) / 2;
    if (sum != expected) {
      throw new IllegalStateException("wrong results: sum " + sum + " != " + expected);
    }
  }
}
