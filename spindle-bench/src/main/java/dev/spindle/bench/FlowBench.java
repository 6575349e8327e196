package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.JvmLauncher;
import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.redis.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;

/**
 * Flow control end to end, on SQLite or Redis, with 4 worker processes:
 *
 * <pre>
 * rate      a limit of 200 jobs/s (burst 20) shared by the workers: jobs started in --seconds (60)
 * conc      a concurrency limit of 5: the most jobs running at once, counted by the jobs in a counter
 *           shared by the processes (a memory-mapped file), and the share of permit time used
 * fair      tenant A enqueues 100,000 jobs, then tenant B 100: how long until B's all finished
 * drain     an unlimited queue's drain rate, alone and while limits hold a backlog on another queue
 * all       the four
 * </pre>
 *
 * Options: {@code --store sqlite|redis} (default sqlite; Redis is started here, AOF everysec),
 * {@code --seconds 60} (rate and conc), {@code --fair-a 100000}, {@code --drain-jobs 20000},
 * {@code --rounds 2} (drain: pairs of alone then limited runs), {@code --order held-first|free-first} (drain:
 * the order in which the workers list the queues; the held ones first by default), {@code --settle-ms 2000} (drain:
 * how long the fresh workers idle before the clock starts),
 * {@code --workers 4}, {@code --concurrency 8} (slots per worker process), {@code --hold-ms 200} (conc's job length).
 *
 * <p>A worker process is this class with {@code worker} as first argument: it reads the store from
 * {@code SPINDLE_FLOWBENCH_STORE} and the counter file from {@code SPINDLE_FLOWBENCH_COUNTERS},
 * consumes {@code --queues a,b}, prints {@code READY} and stops gracefully on SIGTERM.
 */
public final class FlowBench {
  /** Slots of the shared counter file. */
  static final int RUNNING = 0;
  static final int MAX_RUNNING = 1;
  static final int STARTED = 2;
  static final int BUSY_MICROS = 3;

  /** Counts a start. */
  static final Task<Long, Long> NOOP = Task.of("flow.noop", Long.class, Long.class, x -> {
    Counters.get().add(STARTED, 1);
    return x;
  });

  /** Holds a permit for {@code ms} milliseconds, counting how many run at once. */
  static final Task<Long, Long> HOLD = Task.of("flow.hold", Long.class, Long.class, ms -> {
    Counters c = Counters.get();
    long now = c.add(RUNNING, 1);
    c.max(MAX_RUNNING, now);
    long t0 = System.nanoTime();
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    c.add(BUSY_MICROS, (System.nanoTime() - t0) / 1000);
    c.add(RUNNING, -1);
    return ms;
  });

  /** A tenant's job. */
  public record TenantJob(String tenant, long n) {}

  static final Task<TenantJob, Long> TENANT = Task.of("flow.tenant", TenantJob.class, Long.class, TenantJob::n);

  static final TaskRegistry REGISTRY = TaskRegistry.builder().add(NOOP).add(HOLD).add(TENANT).build();

  private final Map<String, String> opts;
  private final Path dir;
  private final Counters counters;
  private final List<Process> processes = new ArrayList<>();
  private @Nullable RedisServer redis;

  private FlowBench(Map<String, String> opts) throws IOException {
    this.opts = opts;
    this.dir = Files.createTempDirectory("spindle-flowbench");
    this.counters = Counters.open(dir.resolve("counters"));
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("worker")) {
      worker(args);
      return;
    }
    if (args.length == 0) {
      System.err.println("usage: FlowBench rate|conc|fair|drain|all [--store sqlite|redis] [--seconds 60] ...");
      System.exit(2);
    }
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    FlowBench b = new FlowBench(o);
    Runtime.getRuntime().addShutdownHook(new Thread(b::shutdown));
    System.out.printf(Locale.ROOT, "machine: %d cores, JVM %s; store %s; %d worker processes x %d slots%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), b.storeKind(),
        b.intOpt("workers", 4), b.intOpt("concurrency", 8));
    switch (args[0]) {
      case "rate" -> b.rate();
      case "conc" -> b.conc();
      case "fair" -> b.fair();
      case "drain" -> b.drain();
      case "all" -> {
        b.rate();
        b.conc();
        b.fair();
        b.drain();
      }
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    b.shutdown();
    System.exit(0);
  }

  private int intOpt(String k, int d) {
    return Integer.parseInt(opts.getOrDefault(k, Integer.toString(d)));
  }

  private String storeKind() {
    return opts.getOrDefault("store", "sqlite");
  }

  /** A fresh store location for a phase. */
  private String location(String phase) {
    if (storeKind().equals("redis")) {
      if (redis == null) {
        redis = RedisServer.builder().appendOnly(true).start();
      }
      return Objects.requireNonNull(redis).url() + "/0?namespace=flowbench-" + phase;
    }
    return "sqlite:" + dir.resolve(phase + ".db");
  }

  // ---------------------------------------------------------------- phases

  private void rate() throws Exception {
    String loc = location("rate");
    int seconds = intOpt("seconds", 60);
    FlowLimit limit = FlowLimit.parse("r200 per=queue rate=200/1s burst=20");
    try (StoreBackend store = JobStores.open(loc); JobQueue q = JobQueue.builder(store).registry(REGISTRY).build()) {
      JobOptions o = JobOptions.builder().queue("rated").flow(limit).build();
      int n = 200 * (seconds + 15);
      for (int done = 0; done < n; done += 10_000) {
        q.enqueueAll(NOOP, LongStream.range(done, Math.min(n, done + 10_000)).boxed().toList(), o);
      }
      counters.reset();
      startWorkers(loc, "rated");
      waitFor(() -> counters.get(STARTED) > 0, 60_000);
      Thread.sleep(3000); // past the burst and the workers' first polls
      long c0 = counters.get(STARTED);
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long c1 = counters.get(STARTED);
      double secs = (System.nanoTime() - t0) / 1e9;
      double expected = 200 * secs;
      System.out.printf(Locale.ROOT, "rate: limit 200/s (burst 20), %d worker processes: %,d jobs started in %.2f s"
          + " (expected %,.0f; %+.2f %%)%n", processes.size(), c1 - c0, secs, expected,
          100.0 * (c1 - c0 - expected) / expected);
      stopWorkers();
    }
  }

  private void conc() throws Exception {
    String loc = location("conc");
    int seconds = intOpt("seconds", 60);
    long holdMs = intOpt("hold-ms", 200);
    FlowLimit limit = FlowLimit.parse("c5 per=queue concurrency=5");
    try (StoreBackend store = JobStores.open(loc); JobQueue q = JobQueue.builder(store).registry(REGISTRY).build()) {
      JobOptions o = JobOptions.builder().queue("conc").flow(limit).build();
      int n = (int) (5 * 1000 / holdMs * (seconds + 15));
      for (int done = 0; done < n; done += 10_000) {
        q.enqueueAll(HOLD, LongStream.range(done, Math.min(n, done + 10_000)).map(i -> holdMs).boxed().toList(), o);
      }
      counters.reset();
      startWorkers(loc, "conc");
      waitFor(() -> counters.get(BUSY_MICROS) > 0, 60_000);
      Thread.sleep(2000);
      long b0 = counters.get(BUSY_MICROS);
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long b1 = counters.get(BUSY_MICROS);
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "conc: limit 5, %d worker processes x %d slots, %d ms jobs: at most %d running"
          + " at once (shared counter); permits used %.1f %% of %.2f s%n", processes.size(),
          intOpt("concurrency", 8), holdMs, counters.get(MAX_RUNNING), 100.0 * (b1 - b0) / 1e6 / (5 * secs), secs);
      stopWorkers();
    }
  }

  private void fair() throws Exception {
    String loc = location("fair");
    int a = intOpt("fair-a", 100_000);
    FlowLimit fair = FlowLimit.parse("tenants per=arg:tenant");
    try (StoreBackend store = JobStores.open(loc); JobQueue q = JobQueue.builder(store).registry(REGISTRY).build()) {
      JobOptions o = JobOptions.builder().queue("shared").flow(fair).build();
      startWorkers(loc, "shared");
      long ta = System.nanoTime();
      for (int done = 0; done < a; done += 10_000) {
        List<TenantJob> batch = new ArrayList<>();
        for (int i = done; i < Math.min(a, done + 10_000); i++) {
          batch.add(new TenantJob("A", i));
        }
        q.enqueueAll(TENANT, batch, o);
      }
      double enqA = (System.nanoTime() - ta) / 1e9;
      List<TenantJob> bs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        bs.add(new TenantJob("B", i));
      }
      long tb = System.nanoTime();
      List<JobHandle<Long>> hs = q.enqueueAll(TENANT, bs, o);
      // every result is watched at once (one after another, each wait adds the watcher's round trips)
      List<java.util.concurrent.Future<Long>> fs = new ArrayList<>();
      for (JobHandle<Long> h : hs) {
        fs.add(h.future());
      }
      for (java.util.concurrent.Future<Long> f : fs) {
        f.get(5, java.util.concurrent.TimeUnit.MINUTES);
      }
      double bSecs = (System.nanoTime() - tb) / 1e9;
      long aLeft = store.inspector().queueSummaries().stream().filter(s -> s.queue().equals("shared"))
          .mapToLong(s -> s.counts().getOrDefault(dev.spindle.queue.JobState.QUEUED, 0L)).sum();
      // as the store recorded it: from the first B job's creation to the last B job's end (what the
      // client sees adds the result watcher's delay on a loaded machine)
      java.time.Instant created = null;
      java.time.Instant ended = null;
      for (JobHandle<Long> h : hs) {
        dev.spindle.queue.JobInfo j = store.find(h.id()).orElseThrow();
        created = created == null || j.createdAt().isBefore(created) ? j.createdAt() : created;
        java.time.Instant finished = Objects.requireNonNull(j.finishedAt(), "a finished job's end");
        ended = ended == null || finished.isAfter(ended) ? finished : ended;
      }
      double stored = Duration.between(created, ended).toNanos() / 1e9;
      System.out.printf(Locale.ROOT, "fair: A enqueued %,d jobs (%.1f s), then B 100: B all finished %.3f s after"
          + " its enqueue by the store's times (%.3f s until the client saw every result); %,d jobs still waiting"
          + " then%n", a, enqA, stored, bSecs, aLeft);
      stopWorkers();
    }
  }

  private void drain() throws Exception {
    int n = intOpt("drain-jobs", 20_000);
    int rounds = intOpt("rounds", 2);
    String queues = opts.getOrDefault("order", "held-first").equals("free-first") ? "free,limited,limited2"
        : "limited,limited2,free";
    double sumA = 0;
    double sumL = 0;
    StringBuilder pairs = new StringBuilder();
    for (int r = 1; r <= rounds; r++) {
      double alone = drainOnce("drain-alone" + r, n, false, queues);
      double limited = drainOnce("drain-limited" + r, n, true, queues);
      System.out.printf(Locale.ROOT, "drain round %d: %,.0f jobs/s alone, %,.0f limited (%+.1f %%)%n", r, alone,
          limited, 100.0 * (limited - alone) / alone);
      pairs.append(pairs.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%+.1f %%",
          100.0 * (limited - alone) / alone));
      sumA += alone;
      sumL += limited;
    }
    System.out.printf(Locale.ROOT, "drain: unlimited queue of %,d jobs, workers consume %s: %,.0f jobs/s alone, %,.0f"
        + " while limits hold a backlog on other queues (mean of %d rounds: %+.1f %%; pairs %s)%n", n, queues,
        sumA / rounds, sumL / rounds, rounds, 100.0 * (sumL - sumA) / sumA, pairs);
  }

  /**
   * Drains {@code n} unlimited jobs; with {@code limits}, two other queues served by the same workers
   * hold a backlog (50 tenant keys at 1 start per 10 s, a concurrency of 1 with 1 s jobs), and the
   * clock starts once those limits hold (each key has started its first job).
   */
  private double drainOnce(String phase, int n, boolean limits, String queues) throws Exception {
    String loc = location(phase);
    try (StoreBackend store = JobStores.open(loc); JobQueue q = JobQueue.builder(store).registry(REGISTRY).build()) {
      if (limits) {
        FlowLimit slow = FlowLimit.parse("slow per=arg:tenant rate=1/10s");
        FlowLimit one = FlowLimit.parse("one per=queue concurrency=1");
        List<TenantJob> held = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
          held.add(new TenantJob("t" + (i % 50), i));
        }
        q.enqueueAll(TENANT, held, JobOptions.builder().queue("limited").flow(slow).build());
        q.enqueueAll(HOLD, LongStream.range(0, 2000).map(i -> 1000L).boxed().toList(),
            JobOptions.builder().queue("limited2").flow(one).build());
      }
      startWorkers(loc, queues);
      if (limits) {
        // the limits hold before the clock starts: every tenant key has started its one job of the
        // interval and the concurrency queue's permit is taken (a fresh worker JVM's first keyed claims,
        // and its first jobs of these tasks, are warm-up the run alone does not pay)
        waitFor(() -> {
          long limitedStarted = 0;
          long limited2Started = 0;
          for (var s : store.inspector().queueSummaries()) {
            long started = s.counts().getOrDefault(dev.spindle.queue.JobState.RUNNING, 0L)
                + s.counts().getOrDefault(dev.spindle.queue.JobState.SUCCEEDED, 0L);
            if (s.queue().equals("limited")) {
              limitedStarted = started;
            } else if (s.queue().equals("limited2")) {
              limited2Started = started;
            }
          }
          return limitedStarted >= 50 && limited2Started >= 1;
        }, 120_000);
      }
      // both runs let the fresh workers settle (connections, their first exchanges) before the clock
      // starts, so neither counts warm-up the other does not
      Thread.sleep(intOpt("settle-ms", 2000));
      JobOptions o = JobOptions.builder().queue("free").build();
      counters.reset();
      long t0 = System.nanoTime();
      for (int done = 0; done < n; done += 10_000) {
        q.enqueueAll(NOOP, LongStream.range(done, Math.min(n, done + 10_000)).boxed().toList(), o);
      }
      // the jobs count their starts in the shared counter (reading the store's summaries every 20 ms
      // would scan every job on SQLite, held ones included, and take CPU from the workers); once all
      // started, the store confirms they all succeeded
      waitFor(() -> counters.get(STARTED) >= n, 600_000);
      waitFor(() -> store.inspector().queueSummaries().stream().filter(s -> s.queue().equals("free"))
          .mapToLong(s -> s.counts().getOrDefault(dev.spindle.queue.JobState.SUCCEEDED, 0L)).sum() >= n, 600_000);
      double secs = (System.nanoTime() - t0) / 1e9;
      stopWorkers();
      return n / secs;
    }
  }

  // ---------------------------------------------------------------- workers

  interface Check {
    boolean ok() throws Exception;
  }

  private static void waitFor(Check c, long timeoutMs) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    while (!c.ok()) {
      if (System.currentTimeMillis() > end) {
        throw new IllegalStateException("timed out");
      }
      Thread.sleep(20);
    }
  }

  private void startWorkers(String location, String queues) throws IOException {
    int n = intOpt("workers", 4);
    for (int i = 0; i < n; i++) {
      ChildSpec spec = ChildSpec.builder("flow-bench worker" + i, FlowBench.class.getName()).maxHeap("384m")
          .jvmOptions(List.of("-XX:+UseParallelGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
              "--enable-native-access=ALL-UNNAMED"))
          .args(List.of("worker", "--queues", queues, "--concurrency", Integer.toString(intOpt("concurrency", 8))))
          .env("SPINDLE_FLOWBENCH_STORE", location)
          .env("SPINDLE_FLOWBENCH_COUNTERS", dir.resolve("counters").toString()).build();
      Process p = JvmLauncher.processBuilder(spec).redirectErrorStream(true).start();
      processes.add(p);
    }
    for (Process p : processes) {
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = r.readLine()) != null && !line.startsWith("READY")) {
        System.out.println("  [worker] " + line);
      }
      if (line == null) {
        throw new IOException("a worker process exited before it was ready");
      }
      Thread.ofPlatform().daemon().start(() -> {
        try {
          String l;
          while ((l = r.readLine()) != null) {
            System.out.println("  [worker] " + l);
          }
        } catch (IOException e) {
          // the process ended
        }
      });
    }
  }

  private void stopWorkers() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      p.waitFor();
    }
    processes.clear();
  }

  private void shutdown() {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    if (redis != null) {
      redis.stop();
    }
  }

  private static void worker(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    StoreBackend store = JobStores.open(System.getenv("SPINDLE_FLOWBENCH_STORE"));
    AtomicReference<Worker> current = new AtomicReference<>(Worker.builder(store).registry(REGISTRY)
        .queues(o.getOrDefault("queues", "default").split(",")).concurrency(Integer.parseInt(o.getOrDefault("concurrency", "8")))
        .model(ExecutionModel.THREADS).shutdownGrace(Duration.ofSeconds(5)).name("flowbench").start());
    System.out.println("READY " + Objects.requireNonNull(current.get()).id());
    System.out.flush();
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Objects.requireNonNull(current.get()).close();
      store.close();
      done.countDown();
    }));
    done.await();
  }

  /** Counters shared by the processes: longs in a memory-mapped file, updated atomically. */
  static final class Counters {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static volatile @Nullable Counters shared;
    private final MappedByteBuffer buf;

    private Counters(MappedByteBuffer buf) {
      this.buf = buf;
    }

    static Counters open(Path file) throws IOException {
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"); FileChannel ch = f.getChannel()) {
        return new Counters(ch.map(FileChannel.MapMode.READ_WRITE, 0, 64));
      }
    }

    /** This process's view of the file named by {@code SPINDLE_FLOWBENCH_COUNTERS}. */
    static Counters get() {
      Counters c = shared;
      if (c == null) {
        synchronized (Counters.class) {
          if (shared == null) {
            try {
              shared = open(Path.of(System.getenv("SPINDLE_FLOWBENCH_COUNTERS")));
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
          c = shared;
        }
      }
      return c;
    }

    long add(int slot, long d) {
      return (long) LONGS.getAndAdd(buf, slot * 8, d) + d;
    }

    void max(int slot, long v) {
      long cur;
      while ((cur = (long) LONGS.getVolatile(buf, slot * 8)) < v) {
        if (LONGS.compareAndSet(buf, slot * 8, cur, v)) {
          return;
        }
      }
    }

    long get(int slot) {
      return (long) LONGS.getVolatile(buf, slot * 8);
    }

    void reset() {
      for (int i = 0; i < 8; i++) {
        LONGS.setVolatile(buf, i * 8, 0L);
      }
    }
  }
}
