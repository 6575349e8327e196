package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorConfig;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * No-op task throughput, submit-to-result: submit N executions, then wait for every result. Runs
 * each configuration side by side in one JVM, several rounds each (interleaved, so machine noise
 * hits all of them alike) and prints the median and best tasks/s per configuration, with the JDK's
 * {@code ThreadPoolExecutor} as a reference. It also prints the process CPU time per task (all
 * threads, GC included), which other load on the machine disturbs less than wall-clock rates.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.ExecutorThroughputBench [--tasks 2000000] [--rounds 7] [--workers 2]
 *     [--models THREADS,VIRTUAL,VIRTUAL0,SEQUENTIAL,JDK,MAP] [--chunk 256]
 * </pre>
 *
 * <p>{@code VIRTUAL0} is VIRTUAL with one virtual thread per task; {@code JDK} is
 * {@code Executors.newFixedThreadPool(workers)} with {@code CompletableFuture}-free futures;
 * {@code MAP} is THREADS {@code map()} with the given chunk size; {@code PROCESSES} and
 * {@code PROCESSES_MAP} need spindle-process on the class path.
 */
public final class ExecutorThroughputBench {
  private ExecutorThroughputBench() {}

  /** Runs the benchmark; see the class comment for arguments. */
  public static void main(String[] args) throws Exception {
    int tasks = 2_000_000;
    int rounds = 7;
    int workers = 2;
    int chunk = 256;
    List<String> models = List.of("THREADS", "VIRTUAL", "JDK");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--tasks" -> tasks = Integer.parseInt(args[++i].replace("_", ""));
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--workers" -> workers = Integer.parseInt(args[++i]);
        case "--chunk" -> chunk = Integer.parseInt(args[++i]);
        case "--models" -> models = Arrays.asList(args[++i].toUpperCase(Locale.ROOT).split(","));
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; use --tasks N --rounds R --workers W --chunk C --models A,B");
      }
    }
    System.out.printf("no-op tasks, submit-to-result: %,d tasks x %d rounds, %d workers, %d cores, %s%n",
        tasks, rounds, workers, Runtime.getRuntime().availableProcessors(), Runtime.version());
    Map<String, List<Double>> results = new LinkedHashMap<>();
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    for (String m : models) {
      results.put(m, new ArrayList<>());
      cpu.put(m, new ArrayList<>());
    }
    // warm-up round per model, not recorded
    for (String m : models) {
      run(m, Math.max(tasks / 4, 1000), workers, chunk);
    }
    for (int r = 0; r < rounds; r++) {
      for (String m : models) {
        long c0 = ProcessCpu.nanos();
        Objects.requireNonNull(results.get(m)).add(run(m, tasks, workers, chunk));
        Objects.requireNonNull(cpu.get(m)).add((ProcessCpu.nanos() - c0) / (double) tasks);
      }
    }
    System.out.printf("%-14s %16s %16s %16s %14s%n", "model", "median tasks/s", "best tasks/s", "worst tasks/s",
        "cpu ns/task");
    for (Map.Entry<String, List<Double>> e : results.entrySet()) {
      List<Double> v = new ArrayList<>(e.getValue());
      v.sort(null);
      List<Double> c = new ArrayList<>(cpu.get(e.getKey()));
      c.sort(null);
      System.out.printf("%-14s %,16.0f %,16.0f %,16.0f %,14.0f%n", e.getKey(), v.get(v.size() / 2), v.get(v.size() - 1),
          v.get(0), c.get(c.size() / 2));
    }
  }

  /** One round; returns tasks per second. */
  static double run(String model, int tasks, int workers, int chunk) throws Exception {
    return switch (model) {
      case "JDK" -> jdk(tasks, workers);
      case "MAP" -> map(ExecutionModel.THREADS, tasks, workers, chunk);
      case "VIRTUAL_MAP" -> map(ExecutionModel.VIRTUAL, tasks, workers, chunk);
      case "PROCESSES_MAP" -> map(ExecutionModel.PROCESSES, tasks, workers, chunk);
      case "VIRTUAL0" -> spindle(() -> config(ExecutionModel.VIRTUAL, 0), tasks);
      case "SEQUENTIAL" -> spindle(() -> config(ExecutionModel.SEQUENTIAL, 1), tasks);
      default -> spindle(() -> config(ExecutionModel.valueOf(model), workers), tasks);
    };
  }

  private static ExecutorConfig config(ExecutionModel model, int workers) {
    return Spindle.executor(model).workers(workers).name("bench").registry(TaskRegistry.of(BenchTasks.class)).build();
  }

  private static double spindle(Supplier<ExecutorConfig> config, int tasks) {
    try (TaskExecutor pool = Spindle.start(config.get())) {
      @SuppressWarnings("unchecked")
      TaskFuture<Long>[] fs = new TaskFuture[tasks];
      long t0 = System.nanoTime();
      for (int i = 0; i < tasks; i++) {
        fs[i] = pool.submit(BenchTasks.NOOP, (long) i);
      }
      long sum = 0;
      for (TaskFuture<Long> f : fs) {
        sum += f.result();
      }
      long dt = System.nanoTime() - t0;
      BenchTasks.checkSum(sum, tasks);
      return tasks / (dt / 1e9);
    }
  }

  private static double map(ExecutionModel model, int tasks, int workers, int chunk) {
    try (TaskExecutor pool = Spindle.start(config(model, workers))) {
      return tasks / (BenchTasks.mapNoops(pool, tasks, chunk) / 1e9);
    }
  }

  private static double jdk(int tasks, int workers) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      @SuppressWarnings("unchecked")
      Future<Long>[] fs = new Future[tasks];
      long t0 = System.nanoTime();
      for (int i = 0; i < tasks; i++) {
        long x = i;
        fs[i] = pool.submit(() -> x);
      }
      long sum = 0;
      for (Future<Long> f : fs) {
        sum += f.get();
      }
      long dt = System.nanoTime() - t0;
      BenchTasks.checkSum(sum, tasks);
      return tasks / (dt / 1e9);
    } finally {
      pool.shutdown();
    }
  }

}
