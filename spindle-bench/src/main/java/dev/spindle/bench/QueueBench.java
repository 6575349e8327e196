package dev.spindle.bench;

import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.JvmLauncher;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.WorkflowHandle;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;

/**
 * End-to-end benchmarks of the durable queue on one SQLite file, with workers in separate JVMs
 * ({@link QueueBenchWorker}). Each mode prints its measurements and the settings used.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.QueueBench MODE [--jobs N] [--workers 2] [--concurrency 64] [--prefetch 0]
 *     [--model THREADS] [--durability NORMAL|FULL] [--dir /tmp/...] [--keep true] [--encryption off|on]
 * (--encryption on: enqueue and drain encrypt arguments and results under a fresh AES-256 key ring,
 * handed to the worker processes in an environment variable)
 * (without --dir the database files go to a temporary directory, deleted at the end unless --keep)
 *
 * MODE  enqueue    batch enqueue (one transaction per batch) and single enqueues, jobs/s
 *       drain      idle worker processes drain a backlog of no-op jobs enqueued in one batch, jobs/s;
 *                  with --progress N each job reports progress and logs a line N times (0, the
 *                  default: no reports), to compare the drain with and without them
 *       latency    enqueue-to-start latency on idle workers, p50/p90/p99/max
 *       fault      N jobs while a worker process is killed with kill -9 every --kill-every-ms
 *       dag-fault  a workflow of --layers chords of --width jobs (10,000 jobs by default), each
 *                  callback starting the next layer, while a worker is killed every --kill-every-ms
 *       recurring  a schedule fires --ticks times with --workers worker processes: exactly once per tick?
 *       all        enqueue, drain, latency
 * </pre>
 */
public final class QueueBench {
  private final Map<String, String> opts;
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private int workerSeq;
  private final byte[] key = dev.spindle.queue.KeyRing.newKey();
  private final dev.spindle.queue.@org.jspecify.annotations.Nullable KeyRing ring;

  private QueueBench(Map<String, String> opts) throws IOException {
    this.opts = opts;
    String enc = opts.getOrDefault("encryption", "off");
    if (!enc.equals("on") && !enc.equals("off")) {
      throw new IllegalArgumentException("--encryption takes on or off, not " + enc);
    }
    this.ring = enc.equals("on") ? dev.spindle.queue.KeyRing.of("bench", Map.of("bench", key)) : null;
    this.dir = opts.containsKey("dir") ? Path.of(opts.get("dir")) : Files.createTempDirectory("spindle-qbench");
    Files.createDirectories(dir);
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: QueueBench enqueue|drain|latency|fault|dag-fault|recurring|all [--option value ...]");
      System.exit(2);
    }
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    QueueBench b = new QueueBench(o);
    Runtime.getRuntime().addShutdownHook(new Thread(b::killAll));
    System.out.printf(Locale.ROOT, "machine: %d cores, %s; store files in %s; durability %s%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), b.dir,
        b.durability());
    switch (args[0]) {
      case "enqueue" -> b.enqueue();
      case "drain" -> b.drain();
      case "latency" -> b.latency();
      case "fault" -> b.fault();
      case "dag-fault" -> b.dagFault();
      case "recurring" -> b.recurring();
      case "all" -> {
        b.enqueue();
        b.drain();
        b.latency();
      }
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    b.killAll();
    if (!o.containsKey("dir") && !o.containsKey("keep")) {
      b.deleteDir();
    }
    System.exit(0);
  }

  private void deleteDir() throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private int intOpt(String k, int def) {
    return Integer.parseInt(opts.getOrDefault(k, Integer.toString(def)));
  }

  private String durability() {
    return opts.getOrDefault("durability", "NORMAL").toUpperCase(Locale.ROOT);
  }

  /** A producer on {@code store}, encrypting with the bench's ring when --encryption is on. */
  private JobQueue queue(SqliteJobStore store) {
    JobQueue.Builder b = JobQueue.builder(store);
    return (ring == null ? b : b.encryption(ring)).build();
  }

  private SqliteJobStore open(String name) {
    return SqliteJobStore.builder(dir.resolve(name))
        .durability(SqliteJobStore.Durability.valueOf(durability())).open();
  }

  // ---------------------------------------------------------------- enqueue

  private void enqueue() throws Exception {
    int n = intOpt("jobs", 200_000);
    try (SqliteJobStore store = open("enqueue.db"); JobQueue q = queue(store)) {
      warmUp(q);
      for (int batch : new int[] {1_000, 10_000, n}) {
        List<Long> inputs = LongStream.range(0, batch).boxed().toList();
        long cpu0 = ProcessCpu.nanos();
        long t0 = System.nanoTime();
        int done = 0;
        while (done < n) {
          q.enqueueAll(QueueBenchTasks.NOOP, inputs, JobOptions.defaults());
          done += batch;
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "batch enqueue  %,d jobs in batches of %,d: %.2f s = %,.0f jobs/s"
            + " (%.1f us CPU per job)%n", done, batch, s, done / s, (ProcessCpu.nanos() - cpu0) / 1e3 / done);
      }
      int singles = Math.min(n, intOpt("singles", 20_000));
      long cpu0 = ProcessCpu.nanos();
      long t0 = System.nanoTime();
      for (int i = 0; i < singles; i++) {
        q.enqueue(QueueBenchTasks.NOOP, (long) i);
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "single enqueue %,d jobs, one transaction each: %.2f s = %,.0f jobs/s"
          + " (%.1f us CPU per job)%n", singles, s, singles / s, (ProcessCpu.nanos() - cpu0) / 1e3 / singles);
    }
  }

  private long workersCpuNanos() {
    long sum = 0;
    for (Process p : processes) {
      sum += p.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
    return sum;
  }

  private static void warmUp(JobQueue q) {
    List<Long> inputs = LongStream.range(0, 1000).boxed().toList();
    for (int i = 0; i < 20; i++) {
      q.enqueueAll(QueueBenchTasks.NOOP, inputs, JobOptions.builder().queue("warmup").build());
    }
    for (int i = 0; i < 2000; i++) {
      q.enqueue(QueueBenchTasks.NOOP, (long) i, JobOptions.builder().queue("warmup").build());
    }
  }

  // ---------------------------------------------------------------- drain

  private void drain() throws Exception {
    int n = intOpt("jobs", 200_000);
    int workers = intOpt("workers", 2);
    int reports = intOpt("progress", 0);
    if (reports < 0) {
      throw new IllegalArgumentException("--progress must be >= 0, got " + reports);
    }
    String db = "drain.db";
    try (SqliteJobStore store = open(db); JobQueue q = queue(store)) {
      for (int i = 0; i < workers; i++) {
        startWorker(db, Map.of());
      }
      // warm the workers' JIT with a first round, then measure
      for (int round = 0; round < 2; round++) {
        long c0 = store.finishCursor();
        int count = round == 0 ? Math.min(n, 50_000) : n;
        long t0 = System.nanoTime();
        if (reports > 0) {
          q.enqueueAll(QueueBenchTasks.REPORTING, java.util.Collections.nCopies(count, (long) reports),
              JobOptions.defaults());
        } else {
          q.enqueueAll(QueueBenchTasks.NOOP, LongStream.range(0, count).boxed().toList(), JobOptions.defaults());
        }
        long committed = System.nanoTime();
        long cpu0 = workersCpuNanos();
        while (store.finishCursor() - c0 < count) {
          Thread.sleep(2);
        }
        long t1 = System.nanoTime();
        long cpu = workersCpuNanos() - cpu0;
        double drain = (t1 - committed) / 1e9;
        System.out.printf(Locale.ROOT, "%s %,d %s jobs, %d worker processes x %s slots (%s): enqueued in %.2f s,"
                + " drained in %.2f s = %,.0f jobs/s (workers' CPU: %.1f us per job)%n",
            round == 0 ? "warm-up" : "drain  ", count, reports > 0 ? "reporting (" + reports + " reports each)" : "no-op",
            workers, opts.getOrDefault("concurrency", "64"),
            opts.getOrDefault("model", "THREADS") + ", prefetch " + opts.getOrDefault("prefetch", "0"), (committed - t0) / 1e9, drain, count / drain, cpu / 1e3 / count);
      }
      long ok = store.inspector().queueSummaries().stream().mapToLong(s -> s.count(JobState.SUCCEEDED)).sum();
      System.out.printf(Locale.ROOT, "check: %,d jobs SUCCEEDED in the store%n", ok);
    } finally {
      killAll();
    }
  }

  // ---------------------------------------------------------------- latency

  private void latency() throws Exception {
    int samples = intOpt("samples", 2000);
    int workers = intOpt("workers", 2);
    String db = "latency.db";
    try (SqliteJobStore store = open(db); JobQueue q = JobQueue.builder(store).build()) {
      for (int i = 0; i < workers; i++) {
        startWorker(db, Map.of());
      }
      List<Long> lat = new ArrayList<>();
      for (int round = 0; round < 2; round++) {
        int count = round == 0 ? Math.min(samples, 300) : samples;
        List<long[]> sent = new ArrayList<>();
        List<JobHandle<Long>> hs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          Thread.sleep(ThreadLocalRandom.current().nextInt(5, 16)); // pacing: workers are idle at each enqueue
          long t = QueueBenchTasks.micros(Instant.now());
          hs.add(q.enqueue(QueueBenchTasks.STAMP, t));
          sent.add(new long[] {t});
        }
        lat.clear();
        for (int i = 0; i < hs.size(); i++) {
          lat.add(hs.get(i).result(Duration.ofMinutes(1)) - sent.get(i)[0]);
        }
      }
      System.out.printf(Locale.ROOT, "latency enqueue->start, %d samples, %d idle worker processes: %s%n", lat.size(),
          workers, Latencies.summary(lat));
    } finally {
      killAll();
    }
  }

  // ---------------------------------------------------------------- fault

  private void fault() throws Exception {
    int n = intOpt("jobs", 20_000);
    int workers = intOpt("workers", 2);
    long killEvery = intOpt("kill-every-ms", 2000);
    long jobMs = intOpt("job-ms", 20);
    String db = "fault.db";
    Path log = dir.resolve("fault-executions.log");
    java.util.concurrent.Callable<Process> start = loggedWorker(db, log);
    try (SqliteJobStore store = open(db); JobQueue q = JobQueue.builder(store).build()) {
      List<Process> live = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        live.add(start.call());
      }
      long c0 = store.finishCursor();
      List<Long> inputs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        inputs.add(jobMs);
      }
      long t0 = System.nanoTime();
      List<JobHandle<Long>> hs = q.enqueueAll(QueueBenchTasks.LOGGED_SLEEP, inputs, JobOptions.defaults());
      int kills = killWhile(() -> store.finishCursor() - c0 < n, live, killEvery, start);
      double s = (System.nanoTime() - t0) / 1e9;
      FaultTally tally = FaultTally.of(store.inspector());
      List<String> lines = Files.readAllLines(log).stream().map(l -> l.substring(0, l.indexOf(' '))).toList();
      Set<String> distinct = new HashSet<>(lines);
      Set<String> ids = new HashSet<>();
      hs.forEach(h -> ids.add(h.id()));
      long missing = ids.stream().filter(id -> !distinct.contains(id)).count();
      System.out.printf(Locale.ROOT, "fault: %,d jobs of %d ms, %d worker processes x %s slots, kill -9 every %d ms on average"
              + " (%d kills), lease %s ms: finished in %.1f s%n", n, jobMs, workers, opts.getOrDefault("concurrency", "8"),
          killEvery, kills, opts.getOrDefault("lease-ms", "2000"), s);
      System.out.printf(Locale.ROOT, "  states: %s (jobs in store: %,d)%n", tally.states(), tally.total());
      System.out.printf(Locale.ROOT, "  lost: %d (jobs never completed: %d; never started: %d)%n",
          tally.notSucceeded(n), tally.notSucceeded(n), missing);
      System.out.printf(Locale.ROOT, "  duplicates: %,d executions beyond the first (%,d starts logged for %,d jobs);"
              + " %,d jobs claimed more than once (%,d extra claims), %,d lost-worker strikes%n",
          lines.size() - distinct.size(), lines.size(), distinct.size(), tally.redelivered(), tally.extraClaims(),
          tally.strikes());
    } finally {
      killAll();
    }
  }

  /**
   * Starts worker processes for a fault run: short leases and quick heartbeats, each execution
   * logged to {@code log} (emptied first).
   */
  private java.util.concurrent.Callable<Process> loggedWorker(String db, Path log) throws IOException {
    Files.deleteIfExists(log);
    Map<String, String> wopts = Map.of("lease-ms", opts.getOrDefault("lease-ms", "2000"), "heartbeat-ms",
        opts.getOrDefault("heartbeat-ms", "250"), "concurrency", opts.getOrDefault("concurrency", "8"));
    return () -> startWorker(db, wopts, "-Dqbench.log=" + log);
  }

  /**
   * Kills a random live worker process with {@code kill -9} every {@code killEvery} ms and starts a
   * new one, until {@code running} turns false; returns the kills.
   */
  private static int killWhile(java.util.function.BooleanSupplier running, List<Process> live, long killEvery,
      java.util.concurrent.Callable<Process> start) throws Exception {
    int kills = 0;
    KillSchedule schedule = new KillSchedule(killEvery);
    while (running.getAsBoolean()) {
      if (schedule.due()) {
        Process victim = live.remove(ThreadLocalRandom.current().nextInt(live.size()));
        victim.destroyForcibly(); // SIGKILL
        victim.waitFor();
        kills++;
        live.add(start.call());
      }
      Thread.sleep(20); // polling the store for progress, not synchronisation
    }
    return kills;
  }

  // ---------------------------------------------------------------- dag-fault

  private void dagFault() throws Exception {
    int layers = intOpt("layers", 50);
    int width = intOpt("width", 199);
    int workers = intOpt("workers", 2);
    long killEvery = intOpt("kill-every-ms", 2000);
    long jobMs = intOpt("job-ms", 20);
    String db = "dag.db";
    Path log = dir.resolve("dag-executions.log");
    java.util.concurrent.Callable<Process> start = loggedWorker(db, log);
    try (SqliteJobStore store = open(db); JobQueue q = JobQueue.builder(store).build()) {
      List<Process> live = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        live.add(start.call());
      }
      DagFault dag = new DagFault(layers, width, jobMs);
      long t0 = System.nanoTime();
      WorkflowHandle h = q.submit(dag.workflow());
      long deadline = System.nanoTime() + intOpt("timeout-s", 900) * 1_000_000_000L;
      int kills = killWhile(() -> !dag.finished(store, h) && System.nanoTime() < deadline, live, killEvery,
          start);
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "dag-fault: %,d jobs (%d layers of %d jobs, each layer's chord callback"
              + " starting the next layer), jobs of %d ms, %d worker processes x %s slots, kill -9 every %d ms on average"
              + " (%d kills), lease %s ms: finished in %.1f s%n", h.jobs().size(), layers, width, jobMs, workers,
          opts.getOrDefault("concurrency", "8"), killEvery, kills, opts.getOrDefault("lease-ms", "2000"), s);
      dag.report(store, h, Files.readAllLines(log), System.out);
    } finally {
      killAll();
    }
  }

  // ---------------------------------------------------------------- recurring

  private void recurring() throws Exception {
    int ticks = intOpt("ticks", 60);
    int workers = intOpt("workers", 3);
    long intervalMs = intOpt("interval-ms", 500);
    String db = "recurring.db";
    try (SqliteJobStore store = open(db); JobQueue q = JobQueue.builder(store).build()) {
      Map<String, String> wopts = Map.of("schedule-ms", "50", "concurrency", "4");
      for (int i = 0; i < workers; i++) {
        startWorker(db, wopts);
      }
      String name = "bench-tick";
      dev.spindle.queue.MisfirePolicy misfire = dev.spindle.queue.MisfirePolicy.valueOf(
          opts.getOrDefault("misfire", "FIRE_ALL").toUpperCase(Locale.ROOT));
      q.addSchedule(Schedule.every(name, Duration.ofMillis(intervalMs)).task(QueueBenchTasks.NOOP, 1L)
          .misfire(misfire).build());
      long t0 = System.nanoTime();
      List<JobInfo> fired;
      while (true) {
        fired = store.inspector().listJobs(JobFilter.all().withTask(QueueBenchTasks.NOOP.name()).withLimit(100_000));
        if (fired.size() >= ticks) {
          break;
        }
        Thread.sleep(50);
      }
      q.removeSchedule(name);
      double s = (System.nanoTime() - t0) / 1e9;
      Map<String, Integer> perTick = new HashMap<>();
      for (JobInfo j : fired) {
        perTick.merge(j.uniqueKey(), 1, Integer::sum);
      }
      List<Long> tickTimes = perTick.keySet().stream().map(k -> Long.parseLong(k.substring(k.lastIndexOf(':') + 1)))
          .sorted().toList();
      long gaps = 0;
      for (int i = 1; i < tickTimes.size(); i++) {
        gaps += (tickTimes.get(i) - tickTimes.get(i - 1)) / intervalMs - 1;
      }
      long dupTicks = perTick.values().stream().filter(c -> c > 1).count();
      System.out.printf(Locale.ROOT, "recurring: every %d ms, misfire %s, %d worker processes, %.1f s: %d jobs for %d"
              + " distinct ticks; ticks fired twice: %d; ticks skipped between the first and last: %d%n", intervalMs,
          misfire, workers, s, fired.size(), perTick.size(), dupTicks, gaps);
    } finally {
      killAll();
    }
  }

  // ---------------------------------------------------------------- worker processes

  private Process startWorker(String db, Map<String, String> extra, String... jvmArgs) throws IOException {
    List<String> jvm = new ArrayList<>(List.of("-XX:+UseParallelGC"));
    jvm.addAll(Arrays.asList(jvmArgs));
    List<String> cmd = new ArrayList<>();
    Map<String, String> o = new LinkedHashMap<>();
    o.put("store", dir.resolve(db).toString());
    o.put("concurrency", opts.getOrDefault("concurrency", "64"));
    o.put("prefetch", opts.getOrDefault("prefetch", "0"));
    o.put("model", opts.getOrDefault("model", "THREADS"));
    o.put("durability", durability());
    o.put("name", "bench" + workerSeq);
    o.putAll(extra);
    o.forEach((k, v) -> {
      cmd.add("--" + k);
      cmd.add(v);
    });
    ChildSpec spec = ChildSpec.builder("queue-bench worker" + workerSeq, QueueBenchWorker.class.getName())
        .jvmOptions(jvm).args(cmd)
        .stderr(ProcessBuilder.Redirect.appendTo(dir.resolve("worker-" + (workerSeq++) + ".log").toFile())).build();
    ProcessBuilder pb = JvmLauncher.processBuilder(spec);
    if (ring != null) { // never on the command line
      pb.environment().put(QueueBenchWorker.KEYS_VARIABLE, "bench=" + java.util.Base64.getEncoder().encodeToString(key));
    }
    Process p = pb.start();
    processes.add(p);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("READY")) {
      throw new IllegalStateException("worker process did not start; see " + dir);
    }
    return p;
  }

  private void killAll() {
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroy();
      }
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }
}
