package dev.spindle.bench.jmh;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.bench.BenchTasks;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Local submit: a no-op task submitted to an in-process executor (2 workers) and its result
 * awaited, one at a time (latency of the round trip) and 1,000 at a time (throughput, reported per
 * task). One JMH thread submits. Not thread-safe (JMH state).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LocalSubmitBenchmark {
  private static final int BATCH = 1000;

  /** The execution model. */
  @Param({"THREADS", "VIRTUAL"})
  public String model;

  private TaskExecutor pool;
  private final TaskFuture<?>[] futures = new TaskFuture<?>[BATCH];

  /** Starts the executor. */
  @Setup(Level.Trial)
  public void start() {
    pool = Spindle.start(Spindle.executor(ExecutionModel.valueOf(model)).workers(2).name("jmh")
        .registry(TaskRegistry.of(BenchTasks.class)).build());
  }

  /** Stops it. */
  @TearDown(Level.Trial)
  public void stop() {
    pool.close();
  }

  /** Submit one no-op and wait for its result. */
  @Benchmark
  public long submitAndAwaitOne() {
    return pool.submit(BenchTasks.NOOP, 42L).result();
  }

  /** Submit 1,000 no-ops, then wait for every result; the time is per task. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long submitThousandThenAwait() {
    for (int i = 0; i < BATCH; i++) {
      futures[i] = pool.submit(BenchTasks.NOOP, (long) i);
    }
    long sum = 0;
    for (TaskFuture<?> f : futures) {
      sum += (Long) f.result();
    }
    return sum;
  }
}
