package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.examples.primes.PrimeDataset;
import dev.spindle.examples.primes.PrimeTasks;
import dev.spindle.examples.primes.Primes;
import dev.spindle.process.ProcessOptions;
import dev.spindle.process.ProcessPool;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * End-to-end numbers of the {@code PROCESSES} model, measured side by side in one run:
 *
 * <ol>
 *   <li>worker start-up (launch to ready, per worker, and pool start) without and with the
 *       class-data-sharing archive;</li>
 *   <li>no-op tasks one at a time (submit N futures, then wait for all), tasks/s;</li>
 *   <li>no-op tasks through a chunked {@code map}, tasks/s;</li>
 *   <li>a CPU-bound batch (the prime checks of {@link PrimeDataset#LARGE}, near 2^62): one thread
 *       sequentially against a pool of worker JVMs, pool start-up and shutdown included.</li>
 * </ol>
 *
 * <p>Class-data sharing needs a class path of jars only (the JDK refuses archives when it holds
 * directories), so run it from the packaged jars:
 *
 * <pre>
 * mvn -B -q -pl spindle-bench -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp spindle-bench/target/spindle-bench-0.1.0-SNAPSHOT.jar:$(cat spindle-bench/target/cp.txt) \
 *     dev.spindle.bench.ProcessThroughputBench [--workers 2] [--tasks 200000] [--map-tasks 10000000]
 *     [--chunk 20000] [--rounds 5] [--startups 3] [--prime-rounds 2] [--sections startup,throughput,primes]
 * </pre>
 */
public final class ProcessThroughputBench {
  private ProcessThroughputBench() {}

  /** Runs the benchmark; see the class comment for arguments. */
  public static void main(String[] args) throws Exception {
    int workers = 2;
    int tasks = 200_000;
    int mapTasks = 10_000_000;
    int chunk = 20_000;
    int rounds = 5;
    int startups = 3;
    int primeRounds = 2;
    List<String> sections = List.of("startup", "throughput", "primes");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--workers" -> workers = Integer.parseInt(args[++i]);
        case "--tasks" -> tasks = Integer.parseInt(args[++i].replace("_", ""));
        case "--map-tasks" -> mapTasks = Integer.parseInt(args[++i].replace("_", ""));
        case "--chunk" -> chunk = Integer.parseInt(args[++i].replace("_", ""));
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--startups" -> startups = Integer.parseInt(args[++i]);
        case "--prime-rounds" -> primeRounds = Integer.parseInt(args[++i]);
        case "--sections" -> sections = Arrays.asList(args[++i].split(","));
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; use --workers --tasks "
            + "--map-tasks --chunk --rounds --startups --prime-rounds --sections startup,throughput,primes");
      }
    }
    System.out.printf(Locale.ROOT, "JDK %s, %d cores, %d workers, load average %s%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors(), workers, load());
    Path cache = Files.createTempDirectory("spindle-bench-cds");
    boolean jarsOnly = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .noneMatch(e -> Files.isDirectory(Path.of(e)));
    if (!jarsOnly) {
      System.out.println("note: the class path holds directories, so the JDK refuses an application CDS archive; "
          + "run from jars (see the class comment) to measure it");
    }

    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(cache)));
    if (sections.contains("startup")) {
      startup(workers, startups, cache);
    }
    if (sections.contains("throughput")) {
      throughput(workers, tasks, mapTasks, chunk, rounds, cache);
    }
    if (sections.contains("primes") && primeRounds > 0) {
      primes(workers, primeRounds, cache);
    }
  }

  private static TaskExecutor pool(int workers, boolean cds, Path cache) {
    return Spindle.executor(ExecutionModel.PROCESSES).workers(workers).name("bench")
        .registry(TaskRegistry.of(BenchTasks.class, PrimeTasks.class))
        .with(ProcessOptions.builder().classDataSharing(cds).cacheDirectory(cache).build()).start();
  }

  private static void startup(int workers, int runs, Path cache) {
    if (runs <= 0) {
      return;
    }
    System.out.println("\n== worker start-up (launch to ready), ms ==");
    // The first run with CDS creates the archive (written when its first worker exits).
    long creation = startOnce(workers, true, cache)[0];
    System.out.printf(Locale.ROOT, "archive-creating run: pool start %d ms%n", creation);
    List<Long> offPool = new ArrayList<>();
    List<Long> onPool = new ArrayList<>();
    List<Long> offWorker = new ArrayList<>();
    List<Long> onWorker = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      long[] off = startOnce(workers, false, cache);
      long[] on = startOnce(workers, true, cache);
      offPool.add(off[0]);
      onPool.add(on[0]);
      for (int i = 1; i < off.length; i++) {
        offWorker.add(off[i]);
        onWorker.add(on[i]);
      }
    }
    System.out.printf(Locale.ROOT, "CDS off: pool start median %d ms (runs %s), worker median %d ms%n",
        median(offPool), offPool, median(offWorker));
    System.out.printf(Locale.ROOT, "CDS on:  pool start median %d ms (runs %s), worker median %d ms%n",
        median(onPool), onPool, median(onWorker));
  }

  /** [pool start ms, worker start ms...]. */
  private static long[] startOnce(int workers, boolean cds, Path cache) {
    long t0 = System.nanoTime();
    TaskExecutor pool = pool(workers, cds, cache);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    long[] each = ProcessPool.of(pool).workerStartupMillis();
    pool.submit(BenchTasks.NOOP, 1L).result();
    pool.close();
    long[] out = new long[1 + each.length];
    out[0] = ms;
    System.arraycopy(each, 0, out, 1, each.length);
    return out;
  }

  private static void throughput(int workers, int tasks, int mapTasks, int chunk, int rounds, Path cache) {
    System.out.println("\n== no-op throughput, tasks/s (submit-to-result) ==");
    try (TaskExecutor pool = pool(workers, true, cache)) {
      // warm-up of both JVM sides
      submitAll(pool, tasks);
      mapAll(pool, mapTasks / 4, chunk);
      List<Long> single = new ArrayList<>();
      List<Long> mapped = new ArrayList<>();
      List<Long> singleCpu = new ArrayList<>();
      List<Long> mappedCpu = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        long c0 = cpuNanos(pool);
        single.add(submitAll(pool, tasks));
        long c1 = cpuNanos(pool);
        mapped.add(mapAll(pool, mapTasks, chunk));
        long c2 = cpuNanos(pool);
        singleCpu.add((c1 - c0) / tasks);
        mappedCpu.add((c2 - c1) * 1000 / mapTasks);
        System.out.printf(Locale.ROOT, "round %d (load %s): one at a time %,d/s (%,d ns CPU/task); map(chunk %d) "
            + "%,d/s (%,d ps CPU/task)%n", r + 1, load(), single.get(r), singleCpu.get(r), chunk, mapped.get(r),
            mappedCpu.get(r));
      }
      int cores = Runtime.getRuntime().availableProcessors();
      System.out.printf(Locale.ROOT, "one at a time: median %,d/s, best %,d/s; median CPU %,d ns/task (parent + "
          + "workers), i.e. %,d/s if %d cores were ours%n", median(single), max(single), median(singleCpu),
          cores * 1_000_000_000L / Math.max(1, median(singleCpu)), cores);
      System.out.printf(Locale.ROOT, "chunked map:   median %,d/s, best %,d/s; median CPU %,d ps/task, i.e. %,d/s if "
          + "%d cores were ours%n", median(mapped), max(mapped), median(mappedCpu),
          cores * 1_000_000_000_000L / Math.max(1, median(mappedCpu)), cores);
    }
  }

  /** CPU time of this JVM and the pool's workers so far, in nanoseconds. */
  private static long cpuNanos(TaskExecutor pool) {
    long cpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
    for (long pid : ProcessPool.of(pool).workerPids()) {
      cpu += ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(d -> d.toNanos()).orElse(0L);
    }
    return cpu;
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  private static long submitAll(TaskExecutor pool, int n) {
    List<TaskFuture<Long>> fs = new ArrayList<>(n);
    long t0 = System.nanoTime();
    for (long i = 0; i < n; i++) {
      fs.add(pool.submit(BenchTasks.NOOP, i));
    }
    long sum = 0;
    for (TaskFuture<Long> f : fs) {
      sum += f.result();
    }
    long ns = System.nanoTime() - t0;
    BenchTasks.checkSum(sum, n);
    return n * 1_000_000_000L / ns;
  }

  private static long mapAll(TaskExecutor pool, int n, int chunk) {
    return (long) n * 1_000_000_000L / BenchTasks.mapNoops(pool, n, chunk);
  }


  private static void primes(int workers, int rounds, Path cache) {
    List<Long> numbers = PrimeDataset.LARGE.numbers();
    System.out.printf(Locale.ROOT, "%n== CPU-bound batch: %d prime checks near 2^62 ==%n", numbers.size());
    List<Double> seq = new ArrayList<>();
    List<Double> proc = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      var threads = java.lang.management.ManagementFactory.getThreadMXBean();
      long cpu0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      int primes = 0;
      for (long n : numbers) {
        primes += Primes.isPrime(n) ? 1 : 0;
      }
      double s = (System.nanoTime() - t0) / 1e9;
      double seqCpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
      t0 = System.nanoTime();
      int primes2 = 0;
      List<String> cpu = new ArrayList<>();
      double maxWorkerCpu = 0;
      long maxStartup = 0;
      try (TaskExecutor pool = pool(workers, true, cache)) {
        for (long ms : ProcessPool.of(pool).workerStartupMillis()) {
          maxStartup = Math.max(maxStartup, ms);
        }
        List<TaskFuture<Boolean>> fs = new ArrayList<>();
        for (long n : numbers) {
          fs.add(pool.submit(PrimeTasks.IS_PRIME, n));
        }
        for (TaskFuture<Boolean> f : fs) {
          primes2 += f.result() ? 1 : 0;
        }
        for (long pid : ProcessPool.of(pool).workerPids()) {
          double c = ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(d -> d.toMillis() / 1e3)
              .orElse(Double.NaN);
          maxWorkerCpu = Math.max(maxWorkerCpu, c);
          cpu.add(String.format(Locale.ROOT, "%.1fs", c));
        }
      }
      double p = (System.nanoTime() - t0) / 1e9;
      if (primes != primes2) {
        throw new IllegalStateException("different answers: " + primes + " vs " + primes2);
      }
      seq.add(s);
      proc.add(p);
      System.out.printf(Locale.ROOT, "round %d (load %s): sequential (1 thread) %.2fs wall, %.2fs CPU; PROCESSES x%d "
          + "(start-up included) %.2fs wall, worker start-up %d ms, worker CPU %s; speed-up %.2fx measured, "
          + "%.2fx from CPU times (sequential CPU / (start-up + busiest worker's CPU): the wall-clock ratio on %d "
          + "otherwise idle cores)%n", r + 1, load(), s, seqCpu, workers, p, maxStartup, cpu, s / p,
          seqCpu / (maxStartup / 1e3 + maxWorkerCpu), workers);
    }
    double ms = seq.stream().sorted().toList().get(seq.size() / 2);
    double mp = proc.stream().sorted().toList().get(proc.size() / 2);
    System.out.printf(Locale.ROOT, "median: sequential %.2fs, PROCESSES %.2fs, speed-up %.2fx%n", ms, mp, ms / mp);
  }

  private static void deleteTree(Path root) {
    try (var files = Files.walk(root)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      // best effort
    }
  }

  private static long median(List<Long> xs) {
    List<Long> s = xs.stream().sorted().toList();
    return s.get(s.size() / 2);
  }

  private static long max(List<Long> xs) {
    return xs.stream().mapToLong(Long::longValue).max().orElse(0);
  }
}
