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
 * <p>The pool is started and warmed before the clock starts (child JVM launches are reported
 * apart, in {@link Report#startupSeconds()}), so PROCESSES shows what the text shows: CPU work
 * scales with the cores. CPU time is read from {@code /proc} for this JVM and its child processes
 * (the worker JVMs) at the start and the end of the computations; elsewhere the CPU of this JVM
 * only.
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
   * What a run measured. The timing covers only the computations: the pool is started and warmed
   * first, and that start-up is reported on its own ({@link #startupSeconds()}), as the course kept
   * pool start-up out of its timings.
   *
   * @param poolSize threads or child JVMs of the pool (1 for SEQUENTIAL)
   * @param results each worker's sum (each about {@code count × 50.5})
   * @param userSeconds user CPU of the computations (NaN if unknown)
   * @param systemSeconds system CPU of the computations (NaN if unknown)
   * @param wallSeconds wall time of the computations, start-up excluded
   * @param startupSeconds wall time to start and warm the pool (JVM launches for PROCESSES)
   * @param startupCpuSeconds CPU (user + system) spent starting and warming the pool (NaN if unknown)
   */
  public record Report(ExecutionModel model, int workers, int poolSize, List<Long> results, double userSeconds,
      double systemSeconds, double wallSeconds, double startupSeconds, double startupCpuSeconds) {
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

    /** {@code 2 child JVMs started in 1.234 s (2.10 s CPU)}. */
    public String startupLine() {
      String unit = switch (model) {
        case PROCESSES -> poolSize == 1 ? "child JVM" : "child JVMs";
        case SEQUENTIAL -> "caller thread";
        default -> poolSize == 1 ? "thread" : "threads";
      };
      return String.format(Locale.ROOT, "%d %s started and warmed in %.3f s (%.2f s CPU)", poolSize, unit,
          startupSeconds, startupCpuSeconds);
    }
  }

  /** Iterations each pool worker runs before the timing starts, so the summing loop is compiled. */
  public static final long WARM_UP_COUNT = 5_000_000L;

  /**
   * The pool size {@link #run(ExecutionModel, int, long, Ticker)} uses: one thread per computation
   * for THREADS and VIRTUAL (the text's 8 threads), one child JVM per core for PROCESSES
   * ({@code multiprocessing.Pool()}'s {@code cpu_count()}; more JVMs than cores only add start-up and
   * memory), 1 for SEQUENTIAL.
   */
  public static int defaultPoolSize(ExecutionModel model, int workers) {
    return switch (model) {
      case SEQUENTIAL -> 1;
      case PROCESSES -> Math.max(1, Math.min(workers, Runtime.getRuntime().availableProcessors()));
      default -> workers;
    };
  }

  /** Runs with the {@link #defaultPoolSize default pool size}. */
  public static Report run(ExecutionModel model, int workers, long count, Ticker ticker) {
    return run(model, workers, defaultPoolSize(model, workers), count, ticker);
  }

  /**
   * Starts a pool of {@code poolSize}, warms every worker (child JVMs run {@link #WARM_UP_COUNT}
   * iterations as their initializer; threads get one warm-up task each), then times
   * {@code workers} computations of {@code count} numbers at once.
   *
   * @throws IllegalArgumentException for DISTRIBUTED or COROUTINE, or counts below 1
   */
  public static Report run(ExecutionModel model, int workers, int poolSize, long count, Ticker ticker) {
    if (model != ExecutionModel.SEQUENTIAL && model != ExecutionModel.THREADS && model != ExecutionModel.VIRTUAL
        && model != ExecutionModel.PROCESSES) {
      throw new IllegalArgumentException("runs on SEQUENTIAL, THREADS, VIRTUAL or PROCESSES");
    }
    if (workers < 1 || count < 1 || poolSize < 1) {
      throw new IllegalArgumentException("workers, pool size and count must be >= 1");
    }
    long s0 = ticker.nanoTime();
    double cpuS0 = cpuSecondsOfThisTree();
    List<Long> results = new ArrayList<>();
    var config = Spindle.executor(model).name("compute").registry(REGISTRY);
    int size = model == ExecutionModel.SEQUENTIAL ? 1 : poolSize;
    if (model != ExecutionModel.SEQUENTIAL) {
      config.workers(size);
    }
    if (model == ExecutionModel.PROCESSES) {
      config.with(dev.spindle.process.ProcessOptions.builder().initializer(COMPUTE, WARM_UP_COUNT).build());
    }
    double wall;
    double cpu0;
    double cpu1;
    double user;
    double sys;
    double startupWall;
    try (TaskExecutor pool = config.start()) {
      if (model != ExecutionModel.PROCESSES) {
        List<TaskFuture<Long>> warm = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          warm.add(pool.submit(COMPUTE, WARM_UP_COUNT));
        }
        warm.forEach(TaskFuture::result);
      }
      startupWall = ticker.secondsSince(s0);
      long[] ticks0 = ticksOfThisTree();
      cpu0 = cpuSecondsOfThisTree();
      long t0 = ticker.nanoTime();
      List<TaskFuture<Long>> futures = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        futures.add(pool.submit(COMPUTE, count));
      }
      for (TaskFuture<Long> f : futures) {
        results.add(f.result());
      }
      wall = ticker.secondsSince(t0);
      long[] ticks1 = ticksOfThisTree(); // before close(): the child JVMs are still alive
      cpu1 = cpuSecondsOfThisTree();
      user = (ticks1[0] - ticks0[0]) / TICKS_PER_SECOND;
      sys = (ticks1[1] - ticks0[1]) / TICKS_PER_SECOND;
      if (ticks0[0] < 0) { // no /proc: this JVM's user+system only, counted as user
        user = cpu1 - cpu0;
        sys = 0;
      }
    }
    return new Report(model, workers, size, results, user, sys, wall, startupWall, cpu0 - cpuS0);
  }

  /** {utime, stime} ticks of this JVM plus every live descendant, or {-1, -1} without /proc. */
  private static long[] ticksOfThisTree() {
    long[] self = cpuTicks(ProcessHandle.current().pid());
    if (self[0] < 0) {
      return self;
    }
    long[] sum = {self[0], self[1]};
    ProcessHandle.current().descendants().forEach(p -> {
      long[] c = cpuTicks(p.pid());
      if (c[0] >= 0) {
        sum[0] += c[0];
        sum[1] += c[1];
      }
    });
    return sum;
  }

  /** CPU seconds of this JVM and its live descendants (this JVM only without /proc). */
  private static double cpuSecondsOfThisTree() {
    long[] t = ticksOfThisTree();
    return t[0] < 0 ? totalCpuSeconds() : (t[0] + t[1]) / TICKS_PER_SECOND;
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
