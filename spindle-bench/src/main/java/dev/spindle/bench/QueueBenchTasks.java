package dev.spindle.bench;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** Tasks of the queue benchmarks. Public with a public no-arg constructor (a portable catalog). */
public final class QueueBenchTasks implements TaskCatalog {
  private static final Clock WALL = Clock.systemUTC();

  /** Returns its input: the cost of the queue itself. */
  public static final Task<Long, Long> NOOP = Task.of("qbench.noop", Long.class, Long.class, x -> x);

  /**
   * Reports its progress and logs a line, each its input's number of times, then returns its input:
   * the cost of {@link dev.spindle.TaskContext#progress} and {@link dev.spindle.TaskContext#log}
   * beside {@link #NOOP}.
   */
  public static final Task<Long, Long> REPORTING = Task.withContext("qbench.reporting", Long.class, Long.class,
      (n, ctx) -> {
        for (long i = 1; i <= n; i++) {
          ctx.progress((double) i / n, "step " + i);
          ctx.log("finished step " + i + " of " + n);
        }
        return n;
      });

  /** Returns the wall-clock time it started at, in microseconds since the epoch (for latency). */
  public static final Task<Long, Long> STAMP = Task.of("qbench.stamp", Long.class, Long.class, x -> micros(WALL.instant()));

  /** Works for the given milliseconds (sleeping), then returns its input. */
  public static final Task<Long, Long> SLEEP = Task.of("qbench.sleep", Long.class, Long.class, ms -> {
    Thread.sleep(ms);
    return ms;
  });

  /**
   * Appends its job id and the wall-clock time in microseconds to the file named by the system
   * property {@code qbench.log} (one line per execution start, O_APPEND, so concurrent processes
   * never interleave within a line), then works
   * for the given milliseconds. Used to count executions across {@code kill -9}.
   */
  public static final Task<Long, Long> LOGGED_SLEEP = Task.withContext("qbench.logged-sleep", Long.class, Long.class,
      (ms, ctx) -> {
        java.nio.file.Path log = java.nio.file.Path.of(System.getProperty("qbench.log"));
        java.nio.file.Files.writeString(log, ctx.executionId() + " " + micros(WALL.instant()) + "\n", java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND, java.nio.file.StandardOpenOption.WRITE);
        Thread.sleep(ms);
        return ms;
      });

  /**
   * A workflow callback: logs its job id like {@link #LOGGED_SLEEP} and returns how many results it
   * received.
   */
  public static final Task<long[], Long> LOGGED_CALLBACK = Task.withContext("qbench.logged-callback", long[].class,
      Long.class, (results, ctx) -> {
        java.nio.file.Path log = java.nio.file.Path.of(System.getProperty("qbench.log"));
        java.nio.file.Files.writeString(log, ctx.executionId() + " " + micros(WALL.instant()) + "\n", java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND, java.nio.file.StandardOpenOption.WRITE);
        return (long) results.length;
      });

  /** Microseconds since the epoch. */
  public static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(NOOP, REPORTING, STAMP, SLEEP, LOGGED_SLEEP, LOGGED_CALLBACK);
  }
}
