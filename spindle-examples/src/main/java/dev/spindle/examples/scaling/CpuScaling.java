package dev.spindle.examples.scaling;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.examples.Ticker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Scaling Python's CPU-bound workload (seed-spec I1): {@code compute()} sums {@code count} random
 * integers in [1, 100]; {@code workers} executions run at once on the chosen model. The report is
 * {@code time}'s: user and system CPU seconds, CPU use in percent of one core, wall seconds. The
 * text measured 8 threads at 116% CPU (the GIL) and 8 processes at 332% on 4 cores; on the JVM
 * threads use every core too.
 *
 * <p>CPU time is read from {@code /proc} for this JVM and for every child process still alive at
 * the end (the worker JVMs, whose start-up counts too); elsewhere the total CPU of this JVM only.
 * Stateless; also the {@link TaskCatalog} of its task.
 */
public final class CpuScaling implements TaskCatalog {
  /** {@code scaling.compute}: the sum of {@code count} random integers in [1, 100]. */
  public static final Task<Long, Long> COMPUTE = Task.withContext("scaling.compute", Long.class, Long.class,
      (count, ctx) -> {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long sum = 0;
        for (long i = 0; i < count; i++) {
          sum += r.nextInt(1, 101);
          if ((i & 0xFFFFF) == 0) {
            ctx.checkCancelled();
          }
        }
        return sum;
      });

  /** A portable registry holding this catalog. */
  public static final TaskRegistry REGISTRY = TaskRegistry.of(CpuScaling.class);

  /** Public for {@link TaskRegistry}'s reflective construction. */
  public CpuScaling() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(COMPUTE);
  }

  /**
   * What a run measured.
   *
   * @param results each worker's sum (each about {@code count × 50.5})
   * @param userSeconds user CPU (NaN if unknown)
   * @param systemSeconds system CPU (NaN if unknown)
   * @param wallSeconds wall time, pool start-up included
   */
  public record Report(ExecutionModel model, int workers, List<Long> results, double userSeconds,
      double systemSeconds, double wallSeconds) {
    public Report {
      results = List.copyOf(results);
    }

    /** CPU use in percent of one core. */
    public double cpuPercent() {
      return (userSeconds + systemSeconds) / wallSeconds * 100;
    }

    /** {@code 19.84s user 6.32s system 116% cpu 22.501 total}. */
    public String timeLine() {
      return String.format(Locale.ROOT, "%.2fs user %.2fs system %.0f%% cpu %.3f total", userSeconds, systemSeconds,
          cpuPercent(), wallSeconds);
    }
  }

  /**
   * Runs {@code workers} computations of {@code count} numbers at once.
   *
   * @throws IllegalArgumentException for DISTRIBUTED, or counts below 1
   */
  public static Report run(ExecutionModel model, int workers, long count, Ticker ticker) {
    if (model == ExecutionModel.DISTRIBUTED) {
      throw new IllegalArgumentException("runs on SEQUENTIAL, THREADS, VIRTUAL or PROCESSES");
    }
    if (workers < 1 || count < 1) {
      throw new IllegalArgumentException("workers and count must be >= 1");
    }
    long[] cpu0 = cpuTicks(ProcessHandle.current().pid());
    double total0 = totalCpuSeconds();
    long t0 = ticker.nanoTime();
    List<Long> results = new ArrayList<>();
    long[] children = {0, 0};
    var config = Spindle.executor(model).name("compute").registry(REGISTRY);
    if (model != ExecutionModel.SEQUENTIAL) {
      config.workers(workers);
    }
    try (TaskExecutor pool = config.start()) {
      List<TaskFuture<Long>> futures = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        futures.add(pool.submit(COMPUTE, count));
      }
      for (TaskFuture<Long> f : futures) {
        results.add(f.result());
      }
      ProcessHandle.current().descendants().forEach(p -> {
        long[] c = cpuTicks(p.pid());
        children[0] += c[0];
        children[1] += c[1];
      });
    }
    double wall = ticker.secondsSince(t0);
    long[] cpu1 = cpuTicks(ProcessHandle.current().pid());
    double user = (cpu1[0] - cpu0[0] + children[0]) / TICKS_PER_SECOND;
    double sys = (cpu1[1] - cpu0[1] + children[1]) / TICKS_PER_SECOND;
    if (cpu0[0] < 0) { // no /proc: this JVM's user+system only, counted as user
      user = totalCpuSeconds() - total0;
      sys = 0;
    }
    return new Report(model, workers, results, user, sys, wall);
  }

  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ, 100 on every Linux ABI

  private static double totalCpuSeconds() {
    return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
  }

  /** {utime, stime} in clock ticks from /proc/PID/stat, or {-1, -1}. */
  static long[] cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the parenthesised command name (which may contain spaces).
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
  }
}
