package dev.spindle.bench;

import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.JvmLauncher;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.WorkflowHandle;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.redis.RedisJobStore;
import dev.spindle.store.redis.RedisStoreConfig;
import dev.spindle.testkit.redis.RedisServer;
import dev.spindle.testkit.redis.RespClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;

/**
 * End-to-end benchmarks of the Redis broker: a real {@code redis-server} on this machine (started
 * here with AOF, {@code appendfsync everysec}, unless {@code SPINDLE_REDIS_URL} names one) and
 * worker processes in separate JVMs ({@link RedisBenchWorker}). Each mode prints what it measured
 * and the settings used.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.RedisBench MODE [--jobs N] [--workers 2] [--concurrency 64] [--prefetch 0] [--rounds 3]
 *
 * MODE  store      the store alone (no task execution): batch enqueue, and claim+complete exchanges
 *       enqueue    JobQueue.enqueueAll in batches, and single enqueues, jobs/s
 *       costs      Redis CPU of the calls a capacity plan needs (docs/REDIS-SCALE.md): a heartbeat, an empty
 *                  claim, a claim+complete of a batch, a PUBLISH to 0, 100 and 1,000 subscribers
 *       single     single enqueues from 1 and --threads 16 threads, Redis CPU per job; --bullmq yes: BullMQ's
 *                  queue.add() measured the same way after each round (node, npm install on first use);
 *                  each round first prints the round-trip floor of one thread (Lettuce PING and SET;
 *                  then redis-benchmark's, one connection)
 *       drain      idle worker processes drain a backlog of no-op jobs, jobs/s
 *       scaling    drain with 1, 2 and 4 worker processes, as a table
 *       latency    enqueue-to-start latency on idle workers, p50/p90/p99/max
 *       fault      N jobs while worker processes are killed with kill -9 every --kill-every-ms for --kill-for-ms
 *       dag-fault  QueueBench's dag-fault on Redis: a workflow of --layers chords of --width jobs (10,000
 *                  jobs), each callback starting the next layer, while a worker process is killed with
 *                  kill -9 every --kill-every-ms until it finished
 *       restart    jobs flow while redis-server is killed with kill -9 and restarted (AOF everysec)
 *       all        enqueue, drain, latency, scaling
 *
 * --scripting eval|function|both   store: run the store's scripts with EVALSHA, FCALL or each in turn
 * --aof no     start redis-server without persistence (default: AOF, appendfsync everysec)
 * --keep 1     drain/scaling: keep each round's finished jobs (default: verify them, then purge them
 *              untimed, as result retention would, so that every round drains the same backlog into
 *              the same store)
 * --model VIRTUAL --concurrency 256   the worker processes' execution model and slots
 * </pre>
 */
public final class RedisBench {
  private final Map<String, String> opts;
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final @Nullable RedisServer server;
  private final String url;
  private int workerSeq;

  private RedisBench(Map<String, String> opts) throws IOException {
    this.opts = opts;
    this.dir = Files.createTempDirectory("spindle-rbench");
    String env = System.getenv(RedisStoreConfig.ENV_URL);
    if (env != null && !env.isBlank()) {
      server = null;
      url = env.strip();
    } else {
      server = RedisServer.builder().appendOnly(!"no".equals(opts.get("aof"))).start();
      url = server.url();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: RedisBench store|enqueue|drain|scaling|latency|fault|restart|all [--option value ...]");
      System.exit(2);
    }
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    RedisBench b = new RedisBench(o);
    Runtime.getRuntime().addShutdownHook(new Thread(b::shutdown));
    System.out.printf(Locale.ROOT, "machine: %d cores, JVM %s; redis %s (%s)%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), b.redisVersion(),
        b.server == null ? "from SPINDLE_REDIS_URL" : "no".equals(o.get("aof"))
            ? "started here: no persistence (--aof no)" : "started here: appendonly yes, appendfsync everysec");
    switch (args[0]) {
      case "store" -> b.storeOnly();
      case "enqueue" -> b.enqueue();
      case "single" -> b.single();
      case "costs" -> b.costs();
      case "drain" -> b.drain(b.intOpt("workers", 2), true);
      case "scaling" -> b.scaling();
      case "latency" -> b.latency();
      case "fault" -> b.fault();
      case "dag-fault" -> b.dagFault();
      case "restart" -> b.restart();
      case "all" -> {
        b.enqueue();
        b.drain(b.intOpt("workers", 2), true);
        b.latency();
        b.scaling();
      }
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    b.shutdown();
    System.exit(0);
  }

  private String redisVersion() {
    try (RedisJobStore s = open("version")) {
      return server == null ? s.describe() : String.valueOf(server.info("server", "redis_version"));
    }
  }

  /** Seconds of CPU the redis-server process used so far (INFO cpu), or NaN if unknown. */
  private double redisCpu() {
    if (server == null) {
      return Double.NaN;
    }
    return Double.parseDouble(server.info("cpu", "used_cpu_user")) + Double.parseDouble(server.info("cpu", "used_cpu_sys"));
  }

  /**
   * ", N AOF rewrites so far" (INFO persistence), or "" if unknown: a rewrite forks redis-server, and
   * the fork and the child's writing slow everything measured while it runs.
   */
  private String aofRewrites() {
    if (server == null || "no".equals(opts.get("aof"))) {
      return "";
    }
    return ", " + server.info("persistence", "aof_rewrites") + " AOF rewrites so far"
        + ("1".equals(server.info("persistence", "aof_rewrite_in_progress")) ? ", one running" : "");
  }

  /** Calls per command so far (INFO commandstats), or empty if unknown. */
  private Map<String, Long> redisCalls() {
    Map<String, Long> out = new java.util.TreeMap<>();
    redisCommandStats().forEach((cmd, v) -> out.put(cmd, v[0]));
    return out;
  }

  /** Per command so far (INFO commandstats): {calls, microseconds executing}; empty if unknown. */
  private Map<String, long[]> redisCommandStats() {
    Map<String, long[]> out = new java.util.TreeMap<>();
    if (server == null) {
      return out;
    }
    for (String line : ((String) Objects.requireNonNull(server.command("INFO", "commandstats"))).split("\r\n")) {
      if (line.startsWith("cmdstat_")) {
        String cmd = line.substring(8, line.indexOf(':'));
        int c = line.indexOf("calls=") + 6;
        int u = line.indexOf("usec=") + 5;
        out.put(cmd, new long[] {Long.parseLong(line.substring(c, line.indexOf(',', c))),
            Long.parseLong(line.substring(u, line.indexOf(',', u)))});
      }
    }
    return out;
  }

  /**
   * Where Redis spent its time between two {@link #redisCommandStats} snapshots, per job: the
   * script call's own time (its commands included) and each command it or the client ran, as
   * "fcall 41.2 us (1.0 calls): set 3.1 (2.0), ...".
   */
  private static String perJobBreakdown(Map<String, long[]> before, Map<String, long[]> after, long jobs) {
    List<Map.Entry<String, long[]>> rows = new ArrayList<>();
    after.forEach((cmd, v) -> {
      long[] b = before.getOrDefault(cmd, new long[2]);
      if (v[0] > b[0]) {
        rows.add(Map.entry(cmd, new long[] {v[0] - b[0], v[1] - b[1]}));
      }
    });
    rows.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, long[]> r : rows) {
      sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1f us (%.2f calls)", r.getKey(),
          r.getValue()[1] / (double) jobs, r.getValue()[0] / (double) jobs));
    }
    return sb.toString();
  }

  /** Seconds of CPU the live worker processes used so far. */
  private double workersCpu() {
    double sum = 0;
    synchronized (processes) {
      for (Process p : processes) {
        sum += p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
      }
    }
    return sum;
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private int intOpt(String k, int def) {
    return Integer.parseInt(opts.getOrDefault(k, Integer.toString(def)));
  }

  private RedisJobStore open(String namespace) {
    return RedisJobStore.open(RedisStoreConfig.fromUrl(withNamespace(namespace), Map.of()));
  }

  private String withNamespace(String namespace) {
    return url + (url.contains("?") ? "&" : "?") + "namespace=" + namespace;
  }

  private void shutdown() {
    killAll();
    if (server != null) {
      server.close();
    }
  }

  // ---------------------------------------------------------------- store only

  private void storeOnly() throws Exception {
    int n = intOpt("jobs", 200_000);
    int batch = intOpt("batch", 64);
    int threads = intOpt("threads", 2);
    List<String> modes = switch (opts.getOrDefault("scripting", "function")) {
      case "both" -> List.of("eval", "function");
      case "eval" -> List.of("eval");
      default -> List.of("function");
    };
    for (int round = 0; round < intOpt("rounds", 3); round++) {
      for (String mode : modes) {
        System.setProperty(RedisStoreConfig.SCRIPTING_PROPERTY, mode);
        try (RedisJobStore store = open("store-" + System.nanoTime())) {
          System.out.printf(Locale.ROOT, "round %d, scripts run with %s:%n", round + 1,
              mode.equals("eval") ? "EVALSHA (library run on every call)" : "FCALL (library loaded once)");
          storeRound(store, n, batch, threads);
        } finally {
          System.clearProperty(RedisStoreConfig.SCRIPTING_PROPERTY);
        }
      }
    }
  }

  private void storeRound(RedisJobStore store, int n, int batch, int threads) throws Exception {
    {
      {
        Instant now = Instant.now();
        List<NewJob> jobs = new ArrayList<>(1000);
        for (int i = 0; i < 1000; i++) {
          jobs.add(new NewJob("rbench.noop", Integer.toString(i), "default", 0, now, null, JobPolicy.defaults(), now));
        }
        double cpu0 = redisCpu();
        Map<String, long[]> stats0 = redisCommandStats();
        long t0 = System.nanoTime();
        for (int done = 0; done < n; done += 1000) {
          store.enqueue(jobs);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "store enqueue  %,d jobs in batches of 1,000 (1 thread): %,.0f jobs/s; redis CPU "
            + "%.2f us/job%n", n, n / s, (redisCpu() - cpu0) * 1e6 / n);
        Map<String, long[]> stats1 = redisCommandStats();
        System.out.println("  redis time per job by command: " + perJobBreakdown(stats0, stats1, n));
        double cpu1 = redisCpu();
        AtomicLong done = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        long t1 = System.nanoTime();
        double jvm1 = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
        for (int t = 0; t < threads; t++) {
          String w = "probe-" + t;
          store.heartbeat(new WorkerRecord(w, w, "h", 1, List.of("default"), batch, "THREADS", "RUNNING", now, now,
              now.plusSeconds(600), 0, 0, 0, 0));
          ts.add(Thread.ofPlatform().start(() -> {
            List<Completion> pending = new ArrayList<>();
            while (true) {
              Instant at = Instant.now();
              Exchange ex = store.completeAndClaim(pending, new ClaimRequest(w, List.of("default"), batch, at), at);
              done.addAndGet(pending.size());
              pending = new ArrayList<>();
              for (JobInfo j : ex.claim().jobs()) {
                pending.add(Completion.succeeded(j.id(), j.fence(), w, j.argsJson()));
              }
              if (pending.isEmpty()) {
                return;
              }
            }
          }));
        }
        for (Thread t : ts) {
          t.join();
        }
        double s2 = (System.nanoTime() - t1) / 1e9;
        double jvm2 = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
        Map<String, long[]> stats2 = redisCommandStats();
        System.out.printf(Locale.ROOT, "store exchange %,d jobs claimed+completed, %d threads x batches of %d: %,.0f jobs/s;"
            + " redis CPU %.2f us/job, this JVM %.2f us/job%n", done.get(), threads, batch, done.get() / s2,
            (redisCpu() - cpu1) * 1e6 / done.get(), (jvm2 - jvm1) * 1e6 / done.get());
        System.out.println("  redis time per job by command: " + perJobBreakdown(stats1, stats2, done.get()));
      }
    }
  }

  // ---------------------------------------------------------------- costs

  /**
   * The Redis CPU of each kind of call that a fleet of workers makes, for the capacity model in
   * docs/REDIS-SCALE.md: server CPU per call from INFO cpu (execution, networking and all), and
   * the execution alone from INFO commandstats.
   */
  private void costs() throws Exception {
    int n = intOpt("calls", 5_000);
    try (RedisJobStore store = open("costs-" + System.nanoTime())) {
      Instant now = Instant.now();
      WorkerRecord w = new WorkerRecord("cost-w", "cost-w", "h", 1, List.of("default"), 64, "THREADS", "RUNNING", now,
          now, now.plusSeconds(600), 0, 0, 0, 0);
      store.heartbeat(w);
      cost("heartbeat (one worker, no jobs held)", n, () -> store.heartbeat(w));
      cost("empty claim (nothing queued)", n, () -> store.completeAndClaim(List.of(),
          new ClaimRequest("cost-w", List.of("default"), 64, Instant.now()), Instant.now()));
      List<NewJob> jobs = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        jobs.add(new NewJob("rbench.noop", Integer.toString(i), "default", 0, now, null, JobPolicy.defaults(), now));
      }
      int rounds = n / 10;
      double cpu0 = redisCpu();
      for (int r = 0; r < rounds; r++) {
        store.enqueue(jobs);
      }
      double enq = (redisCpu() - cpu0) * 1e6 / (rounds * 64.0);
      cpu0 = redisCpu();
      List<Completion> pending = new ArrayList<>();
      long done = 0;
      while (true) {
        Instant at = Instant.now();
        Exchange ex = store.completeAndClaim(pending, new ClaimRequest("cost-w", List.of("default"), 64, at), at);
        done += pending.size();
        pending = new ArrayList<>();
        for (JobInfo j : ex.claim().jobs()) {
          pending.add(Completion.succeeded(j.id(), j.fence(), "cost-w", j.argsJson()));
        }
        if (pending.isEmpty()) {
          break;
        }
      }
      double exch = (redisCpu() - cpu0) * 1e6 / done;
      System.out.printf(Locale.ROOT, "%-44s %7.1f us of Redis CPU per job%n", "enqueue, batches of 64", enq);
      System.out.printf(Locale.ROOT, "%-44s %7.1f us of Redis CPU per job%n", "claim+complete, batches of 64", exch);
    }
    for (int subscribers : new int[] {0, 100, 1000}) {
      List<RespClient> subs = new ArrayList<>();
      java.net.URI u = java.net.URI.create(url);
      try {
        for (int i = 0; i < subscribers; i++) {
          RespClient c =
              new RespClient(u.getHost(), u.getPort(), Duration.ofSeconds(10));
          c.command("SUBSCRIBE", "{costs}:ev");
          subs.add(c);
        }
        try (RespClient pub =
            new RespClient(u.getHost(), u.getPort(), Duration.ofSeconds(10))) {
          cost("PUBLISH to " + subscribers + " subscribers", n, () -> pub.command("PUBLISH", "{costs}:ev", "1"));
        }
      } finally {
        for (RespClient c : subs) {
          c.close();
        }
      }
    }
  }

  /** Runs {@code call} {@code n} times and prints the Redis CPU per call. */
  private void cost(String what, int n, Runnable call) {
    double cpu0 = redisCpu();
    Map<String, long[]> stats0 = redisCommandStats();
    for (int i = 0; i < n; i++) {
      call.run();
    }
    System.out.printf(Locale.ROOT, "%-44s %7.1f us of Redis CPU per call%n", what, (redisCpu() - cpu0) * 1e6 / n);
    System.out.println("  executing, per call: " + perJobBreakdown(stats0, redisCommandStats(), n));
  }

  // ---------------------------------------------------------------- single enqueue

  /**
   * Single enqueues ({@code JobQueue.enqueue}, one job per call) from one thread and from
   * {@code --threads} threads sharing one queue, with the Redis CPU per job; with {@code --bullmq
   * yes}, BullMQ's {@code queue.add()} measured the same way right after, against the same server
   * (spindle-bench/peers/bullmq, installed with npm on first use).
   */
  private void single() throws Exception {
    int n = intOpt("jobs", 20_000);
    int threads = intOpt("threads", 16);
    boolean bullmq = "yes".equals(opts.get("bullmq"));
    Path peer = Path.of(opts.getOrDefault("peers", "spindle-bench/peers")).resolve("bullmq");
    if (bullmq && !Files.isDirectory(peer.resolve("node_modules"))) {
      run(peer, "npm", "install", "--no-audit", "--no-fund", "--silent");
    }
    try (RedisJobStore store = open("single-" + System.nanoTime()); JobQueue q = JobQueue.builder(store).build()) {
      warmUp(q);
      for (int round = 0; round < intOpt("rounds", 3); round++) {
        roundTripFloor(n);
        for (int t : new int[] {1, threads}) {
          int per = n / t;
          AtomicLong seq = new AtomicLong();
          double cpu0 = redisCpu();
          Map<String, long[]> stats0 = redisCommandStats();
          long t0 = System.nanoTime();
          List<Thread> ts = new ArrayList<>();
          for (int k = 0; k < t; k++) {
            ts.add(Thread.ofPlatform().start(() -> {
              for (int i = 0; i < per; i++) {
                q.enqueue(RedisBenchTasks.NOOP, seq.incrementAndGet());
              }
            }));
          }
          for (Thread th : ts) {
            th.join();
          }
          double s = (System.nanoTime() - t0) / 1e9;
          System.out.printf(Locale.ROOT, "spindle single enqueue %,d jobs, %d thread%s: %.2f s = %,.0f jobs/s, redis cpu "
              + "%.1f us/job (load %.1f%s)%n", per * t, t, t == 1 ? "" : "s", s, per * t / s,
              (redisCpu() - cpu0) * 1e6 / (per * t), loadAverage(), aofRewrites());
          System.out.println("  redis time per job by command (INFO commandstats): "
              + perJobBreakdown(stats0, redisCommandStats(), (long) per * t));
        }
        if (bullmq) {
          run(peer, "node", "enqueue.mjs", url, Integer.toString(n), Integer.toString(threads));
        }
      }
    }
  }

  /**
   * The round-trip floor of one thread on this server, with the client Spindle uses (Lettuce,
   * synchronous): {@code n} PINGs, then {@code n} one-key SETs (a write: appended to the AOF like an
   * enqueue). No enqueue from one thread waiting for each reply can beat these rates.
   */
  private void roundTripFloor(int n) throws IOException, InterruptedException {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(url);
    try (io.lettuce.core.api.StatefulRedisConnection<String, String> c = client.connect()) {
      io.lettuce.core.api.sync.RedisCommands<String, String> r = c.sync();
      for (int i = 0; i < 5_000; i++) {
        r.ping();
        r.set("spindle-bench-floor", Integer.toString(i));
      }
      double cpu0 = redisCpu();
      Map<String, long[]> stats0 = redisCommandStats();
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        r.ping();
      }
      double ping = (System.nanoTime() - t0) / 1e9;
      double cpu1 = redisCpu();
      t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        r.set("spindle-bench-floor", Integer.toString(i));
      }
      double set = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "round-trip floor, 1 thread (Lettuce sync): PING %,.0f/s (%.1f us, redis cpu %.1f us),"
          + " SET %,.0f/s (%.1f us, redis cpu %.1f us)%s%n", n / ping, ping * 1e6 / n, (cpu1 - cpu0) * 1e6 / n, n / set,
          set * 1e6 / n, (redisCpu() - cpu1) * 1e6 / n, aofRewrites());
      System.out.println("  redis time per PING + SET by command: " + perJobBreakdown(stats0, redisCommandStats(), n));
      r.del("spindle-bench-floor");
    } finally {
      client.shutdown();
    }
    nativeRoundTripFloor(n);
  }

  /**
   * The same floor from Redis's own C client ({@code redis-benchmark -c 1}: one connection, one
   * request at a time, no thread hand-off in the client): what any client on this machine gets at
   * best. Skipped, saying so, when the server needs credentials or TLS (they would have to go on
   * its command line) or the tool is missing.
   */
  private void nativeRoundTripFloor(int n) throws IOException, InterruptedException {
    io.lettuce.core.RedisURI uri = io.lettuce.core.RedisURI.create(url);
    if (java.net.URI.create(url).getRawUserInfo() != null || uri.isSsl()) {
      System.out.println("round-trip floor, 1 connection (redis-benchmark): skipped, the server needs credentials or TLS");
      return;
    }
    Process p;
    try {
      p = new ProcessBuilder("redis-benchmark", "-h", uri.getHost(), "-p", Integer.toString(uri.getPort()), "-c", "1",
          "-n", Integer.toString(n), "-t", "ping_mbulk,set", "--csv").redirectErrorStream(true).start();
    } catch (IOException e) {
      System.out.println("round-trip floor, 1 connection (redis-benchmark): skipped, " + e.getMessage());
      return;
    }
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("redis-benchmark failed: " + out.strip());
    }
    StringBuilder line = new StringBuilder("round-trip floor, 1 connection (redis-benchmark, C):");
    for (String row : out.split("\\R")) {
      String[] f = row.replace("\"", "").split(",");
      if (f.length > 1 && !f[0].equals("test")) {
        double rps = Double.parseDouble(f[1]);
        line.append(String.format(Locale.ROOT, " %s %,.0f/s (%.1f us)", f[0].startsWith("PING") ? "PING" : f[0], rps,
            1e6 / rps));
      }
    }
    System.out.println(line);
  }

  /** Runs a command in {@code dir}, its output passed through; fails unless it exits 0. */
  private static void run(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " in " + dir + " exited " + p.exitValue());
    }
  }

  // ---------------------------------------------------------------- enqueue

  private void enqueue() throws Exception {
    int n = intOpt("jobs", 500_000);
    try (RedisJobStore store = open("enqueue-" + System.nanoTime()); JobQueue q = JobQueue.builder(store).build()) {
      warmUp(q);
      for (int round = 0; round < intOpt("rounds", 3); round++) {
        for (int batch : new int[] {1_000, 10_000}) {
          List<Long> inputs = LongStream.range(0, batch).boxed().toList();
          long t0 = System.nanoTime();
          int done = 0;
          while (done < n) {
            q.enqueueAll(RedisBenchTasks.NOOP, inputs, JobOptions.defaults());
            done += batch;
          }
          double s = (System.nanoTime() - t0) / 1e9;
          int calls = (batch + RedisJobStore.MAX_JOBS_PER_SCRIPT - 1) / RedisJobStore.MAX_JOBS_PER_SCRIPT;
          System.out.printf(Locale.ROOT, "bulk enqueue   %,d jobs in batches of %,d (%s): %.2f s = "
              + "%,.0f jobs/s%n", done, batch, calls == 1 ? "one script call each" : calls + " script calls each", s,
              done / s);
        }
        int singles = intOpt("singles", 20_000);
        long t0 = System.nanoTime();
        for (int i = 0; i < singles; i++) {
          q.enqueue(RedisBenchTasks.NOOP, (long) i);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "single enqueue %,d jobs, one round trip each, 1 thread: %.2f s = %,.0f jobs/s%n",
            singles, s, singles / s);
      }
    }
  }

  private static void warmUp(JobQueue q) {
    List<Long> inputs = LongStream.range(0, 1000).boxed().toList();
    for (int i = 0; i < 30; i++) {
      q.enqueueAll(RedisBenchTasks.NOOP, inputs, JobOptions.builder().queue("warmup").build());
    }
    for (int i = 0; i < 3000; i++) {
      q.enqueue(RedisBenchTasks.NOOP, (long) i, JobOptions.builder().queue("warmup").build());
    }
  }

  // ---------------------------------------------------------------- drain

  private double drain(int workers, boolean print) throws Exception {
    int n = intOpt("jobs", 300_000);
    String ns = "drain-" + workers + "-" + System.nanoTime();
    double best = 0;
    try (RedisJobStore store = open(ns); JobQueue q = JobQueue.builder(store).build()) {
      // the workers wait on a queue of their own; each round fills a new queue while nobody consumes
      // it, then switches every worker process to it at once: a pure drain of a backlog
      List<Process> ps = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        ps.add(startWorker(ns, Map.of("queue", "idle")));
      }
      int rounds = intOpt("rounds", 3);
      long verified = 0;
      for (int round = 0; round <= rounds; round++) {
        long c0 = store.finishCursor();
        int count = round == 0 ? Math.min(n, 100_000) : n;
        long t0 = System.nanoTime();
        double redisCpu0 = redisCpu();
        List<Long> inputs = LongStream.range(0, 10_000).boxed().toList();
        String queue = "backlog-" + round;
        JobOptions options = JobOptions.builder().queue(queue).build();
        for (int done = 0; done < count; done += 10_000) {
          q.enqueueAll(RedisBenchTasks.NOOP, inputs.subList(0, Math.min(10_000, count - done)), options);
        }
        double redisCpu1 = redisCpu();
        Map<String, Long> calls1 = redisCalls();
        double workersCpu1 = workersCpu();
        long enqueued = System.nanoTime();
        for (Process p : ps) {
          p.getOutputStream().write(("queue " + queue + "\n").getBytes(StandardCharsets.UTF_8));
          p.getOutputStream().flush();
        }
        // measure the steady state: from 10% to 90% of the jobs finished
        long mark10 = 0;
        long mark90 = 0;
        long finished;
        while ((finished = store.finishCursor() - c0) < count) {
          long now = System.nanoTime();
          if (mark10 == 0 && finished >= count / 10) {
            mark10 = now;
          }
          if (mark90 == 0 && finished >= count * 9L / 10) {
            mark90 = now;
          }
          Thread.sleep(1);
        }
        long t1 = System.nanoTime();
        double all = (t1 - enqueued) / 1e9;
        double steady = (count * 0.8) / ((mark90 - mark10) / 1e9);
        if (round > 0) {
          best = Math.max(best, count / all);
        }
        if (print) {
          System.out.printf(Locale.ROOT, "%s %,d no-op jobs, %d worker processes x %s slots (prefetch %s): enqueued in %.2f s with no "
                  + "consumer, then drained in %.2f s = %,.0f jobs/s (%,.0f jobs/s from 10%% to 90%% done)%n",
              round == 0 ? "warm-up" : "drain  ", count, workers, opts.getOrDefault("concurrency", "64"),
              opts.getOrDefault("prefetch", "0"), (enqueued - t0) / 1e9, all, count / all, steady);
          System.out.printf(Locale.ROOT, "        CPU per job: redis %.1f us to enqueue, %.1f us to drain; worker "
                  + "processes %.1f us to drain; machine load average %.1f%n", (redisCpu1 - redisCpu0) * 1e6 / count,
              (redisCpu() - redisCpu1) * 1e6 / count, (workersCpu() - workersCpu1) * 1e6 / count, loadAverage());
          Map<String, Long> calls2 = redisCalls();
          StringBuilder sb = new StringBuilder("        redis commands per 100 drained jobs:");
          calls2.forEach((cmd, calls) -> {
            long d = calls - calls1.getOrDefault(cmd, 0L);
            if (d * 100.0 / count >= 0.5) {
              sb.append(String.format(Locale.ROOT, " %s %.1f", cmd, d * 100.0 / count));
            }
          });
          System.out.println(sb);
        }
        // every job of the round must have succeeded; then (untimed) the finished jobs are purged,
        // as result retention would do, so each round drains the same backlog into the same store
        long ok = store.queueSummaries().stream().filter(s -> s.queue().equals(queue))
            .mapToLong(s -> s.count(JobState.SUCCEEDED)).sum();
        if (ok != count) {
          throw new IllegalStateException("round " + round + ": " + ok + " of " + count + " jobs SUCCEEDED");
        }
        verified += ok;
        if (!opts.containsKey("keep")) {
          JobFilter done = JobFilter.all().withState(JobState.SUCCEEDED).withQueue(queue).withLimit(20_000);
          while (store.purge(done) > 0) {
            // next chunk
          }
        }
      }
      if (print) {
        System.out.printf(Locale.ROOT, "check: %,d jobs SUCCEEDED (each round verified, then purged%s)%n", verified,
            opts.containsKey("keep") ? "; --keep: kept" : "");
      }
    } finally {
      killAll();
    }
    return best;
  }

  private void scaling() throws Exception {
    Map<Integer, Double> rate = new LinkedHashMap<>();
    for (int w : new int[] {1, 2, 4}) {
      rate.put(w, drain(w, true));
    }
    System.out.println("scaling (best whole-backlog drain rate of the measured rounds, no-op jobs):");
    System.out.println("| worker processes | jobs/s | vs 1 |");
    System.out.println("|---:|---:|---:|");
    rate.forEach((w, r) -> System.out.printf(Locale.ROOT, "| %d | %,.0f | %.2fx |%n", w, r, r / Objects.requireNonNull(rate.get(1))));
  }

  // ---------------------------------------------------------------- latency

  private void latency() throws Exception {
    int samples = intOpt("samples", 3000);
    int workers = intOpt("workers", 2);
    String ns = "latency-" + System.nanoTime();
    try (RedisJobStore store = open(ns); JobQueue q = JobQueue.builder(store).build()) {
      for (int i = 0; i < workers; i++) {
        startWorker(ns, Map.of());
      }
      List<Long> lat = new ArrayList<>();
      for (int round = 0; round < 2; round++) {
        int count = round == 0 ? Math.min(samples, 500) : samples;
        List<Long> sent = new ArrayList<>();
        List<JobHandle<Long>> hs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          Thread.sleep(ThreadLocalRandom.current().nextInt(3, 9)); // pacing: the workers are idle at each enqueue
          long t = RedisBenchTasks.micros(Instant.now());
          hs.add(q.enqueue(RedisBenchTasks.STAMP, t));
          sent.add(t);
        }
        lat.clear();
        for (int i = 0; i < hs.size(); i++) {
          lat.add(hs.get(i).result(Duration.ofMinutes(1)) - sent.get(i));
        }
      }
      System.out.printf(Locale.ROOT, "latency enqueue->start, %d samples, %d idle worker processes: %s%n", lat.size(),
          workers, Latencies.summary(lat));
    } finally {
      killAll();
    }
  }

  // ---------------------------------------------------------------- dag-fault: a workflow under kill -9

  /**
   * The workflow of {@link DagFault} while one worker process is killed with SIGKILL every
   * --kill-every-ms (and replaced) until the last callback ended; then its report: states,
   * callbacks created and run, duplicates, dependency-order violations.
   */
  private void dagFault() throws Exception {
    int layers = intOpt("layers", 50);
    int width = intOpt("width", 199);
    int workers = intOpt("workers", 2);
    long killEvery = intOpt("kill-every-ms", 2000);
    long jobMs = intOpt("job-ms", 20);
    String ns = "dag-" + System.nanoTime();
    Path log = dir.resolve("dag-executions.log");
    Files.deleteIfExists(log);
    Map<String, String> wopts = Map.of("lease-ms", opts.getOrDefault("lease-ms", "2000"), "heartbeat-ms",
        opts.getOrDefault("heartbeat-ms", "250"), "concurrency", opts.getOrDefault("concurrency", "8"));
    try (RedisJobStore store = open(ns); JobQueue q = JobQueue.builder(store).build()) {
      List<Process> live = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        live.add(startWorker(ns, wopts, "-Dqbench.log=" + log));
      }
      DagFault dag = new DagFault(layers, width, jobMs);
      long t0 = System.nanoTime();
      WorkflowHandle h = q.submit(dag.workflow());
      long deadline = System.nanoTime() + intOpt("timeout-s", 900) * 1_000_000_000L;
      int kills = 0;
      long nextKill = System.nanoTime() + killEvery * 1_000_000L;
      while (!dag.finished(store, h) && System.nanoTime() < deadline) {
        if (System.nanoTime() >= nextKill) {
          Process victim = live.remove(ThreadLocalRandom.current().nextInt(live.size()));
          victim.destroyForcibly(); // SIGKILL
          victim.waitFor();
          synchronized (processes) {
            processes.remove(victim);
          }
          kills++;
          live.add(startWorker(ns, wopts, "-Dqbench.log=" + log));
          nextKill += killEvery * 1_000_000L;
        }
        Thread.sleep(20); // polling the store for progress, not synchronisation
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "dag-fault: %,d jobs (%d layers of %d jobs, each layer's chord callback"
              + " starting the next layer), jobs of %d ms, %d worker processes x %s slots, kill -9 every %d ms"
              + " (%d kills), lease %s ms: finished in %.1f s%n", h.jobs().size(), layers, width, jobMs, workers,
          wopts.get("concurrency"), killEvery, kills, wopts.get("lease-ms"), s);
      dag.report(store, h, Files.readAllLines(log), System.out);
    } finally {
      killAll();
    }
  }

  // ---------------------------------------------------------------- fault: kill -9 workers

  /**
   * N jobs of --job-ms each while one worker process is killed with SIGKILL every --kill-every-ms
   * (and replaced) for --kill-for-ms; then every job must complete. Executions are logged by the
   * task, so duplicates are counted exactly.
   */
  private void fault() throws Exception {
    int n = intOpt("jobs", 100_000);
    int workers = intOpt("workers", 2);
    long killEvery = intOpt("kill-every-ms", 2000);
    long killFor = intOpt("kill-for-ms", 60_000);
    long jobMs = intOpt("job-ms", 15);
    String ns = "fault-" + System.nanoTime();
    Path log = dir.resolve("fault-executions.log");
    Files.deleteIfExists(log);
    Map<String, String> wopts = Map.of("lease-ms", opts.getOrDefault("lease-ms", "2000"), "heartbeat-ms",
        opts.getOrDefault("heartbeat-ms", "250"), "concurrency", opts.getOrDefault("concurrency", "16"));
    try (RedisJobStore store = open(ns); JobQueue q = JobQueue.builder(store).build()) {
      List<Process> live = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        live.add(startWorker(ns, wopts, "-Drbench.log=" + log));
      }
      long c0 = store.finishCursor();
      List<Long> inputs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        inputs.add(jobMs);
      }
      // many strikes are expected here: a job is dead-lettered only after 1000 lost workers
      JobOptions o = JobOptions.builder().maxWorkerLost(1000).build();
      long t0 = System.nanoTime();
      List<String> ids = new ArrayList<>(n);
      for (int from = 0; from < n; from += 10_000) {
        q.enqueueAll(RedisBenchTasks.LOGGED, inputs.subList(from, Math.min(n, from + 10_000)), o)
            .forEach(h -> ids.add(h.id()));
      }
      int kills = 0;
      long killUntil = System.nanoTime() + killFor * 1_000_000L;
      long nextKill = System.nanoTime() + killEvery * 1_000_000L;
      long doneAtKillEnd = -1;
      while (store.finishCursor() - c0 < n) {
        long now = System.nanoTime();
        if (now < killUntil && now >= nextKill) {
          Process victim = live.remove(ThreadLocalRandom.current().nextInt(live.size()));
          victim.destroyForcibly(); // SIGKILL
          victim.waitFor();
          synchronized (processes) {
            processes.remove(victim);
          }
          kills++;
          live.add(startWorker(ns, wopts, "-Drbench.log=" + log));
          nextKill += killEvery * 1_000_000L;
        }
        if (doneAtKillEnd < 0 && now >= killUntil) {
          doneAtKillEnd = store.finishCursor() - c0;
        }
        Thread.sleep(20);
      }
      double s = (System.nanoTime() - t0) / 1e9;
      FaultTally tally = FaultTally.of(store);
      List<String> lines = Files.readAllLines(log);
      System.out.printf(Locale.ROOT, "fault: %,d jobs of %d ms, %d worker processes x %s slots, kill -9 of one worker "
              + "every %d ms for %d s (%d kills, each replaced), lease %s ms, heartbeat %s ms: all done after %.1f s "
              + "(%,d done when the kills stopped)%n", n, jobMs, workers, wopts.get("concurrency"), killEvery,
          killFor / 1000, kills, wopts.get("lease-ms"), wopts.get("heartbeat-ms"), s, doneAtKillEnd);
      tally.print(n, ids, lines);
    } finally {
      killAll();
    }
  }

  // ---------------------------------------------------------------- restart: kill -9 redis-server

  /**
   * Jobs flow (a backlog plus a producer enqueuing continuously) while redis-server is killed with
   * SIGKILL after --kill-after-ms and restarted on the same data (AOF, fsync every second). Reports
   * how long each worker took to consume again, and counts what was lost.
   */
  private void restart() throws Exception {
    if (server == null) {
      throw new IllegalStateException("the restart benchmark needs the redis-server it starts itself; unset "
          + RedisStoreConfig.ENV_URL);
    }
    int workers = intOpt("workers", 2);
    long jobMs = intOpt("job-ms", 2);
    String ns = "restart-" + System.nanoTime();
    Path log = dir.resolve("restart-executions.log");
    Files.deleteIfExists(log);
    Map<String, String> wopts = Map.of("concurrency", opts.getOrDefault("concurrency", "16"), "heartbeat-ms", "250",
        "lease-ms", "10000");
    RedisStoreConfig config = RedisStoreConfig.fromUrl(withNamespace(ns) + "&retryBudget=30s", Map.of());
    try (RedisJobStore store = RedisJobStore.open(config); JobQueue q = JobQueue.builder(store).build()) {
      for (int i = 0; i < workers; i++) {
        startWorker(ns, wopts, "-Drbench.log=" + log);
      }
      List<String> acked = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Long> ackedAt = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int b = 0; b < 5; b++) {
        q.enqueueAll(RedisBenchTasks.LOGGED, LongStream.range(0, 2000).map(x -> jobMs).boxed().toList(),
            JobOptions.defaults()).forEach(h -> {
              acked.add(h.id());
              ackedAt.add(System.nanoTime());
            });
      }
      java.util.concurrent.atomic.AtomicBoolean producing = new java.util.concurrent.atomic.AtomicBoolean(true);
      java.util.concurrent.atomic.AtomicLong failedEnqueues = new java.util.concurrent.atomic.AtomicLong();
      Thread producer = Thread.ofPlatform().start(() -> {
        while (producing.get()) {
          try {
            List<JobHandle<Long>> hs = q.enqueueAll(RedisBenchTasks.LOGGED,
                LongStream.range(0, 20).map(x -> jobMs).boxed().toList(), JobOptions.defaults());
            long at = System.nanoTime();
            for (JobHandle<Long> h : hs) {
              acked.add(h.id());
              ackedAt.add(at);
            }
          } catch (RuntimeException e) {
            failedEnqueues.incrementAndGet();
          }
        }
      });
      Thread.sleep(intOpt("kill-after-ms", 4000));
      long killedAt = System.nanoTime();
      RedisServer local = Objects.requireNonNull(server, "the restart mode needs the redis-server started here");
      local.kill9();
      local.restart();
      long readyAt = System.nanoTime();
      java.time.Instant readyWall = java.time.Instant.now();
      long cursor = store.finishCursor();
      Map<String, Long> resumedMs = new java.util.TreeMap<>();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (resumedMs.size() < workers && System.nanoTime() < deadline) {
        var batch = store.finishedAfter(cursor, 10_000);
        for (JobInfo j : batch.jobs()) {
          String w = j.workerId() == null ? "?" : j.workerId().substring(0, j.workerId().indexOf('@'));
          if (j.finishedAt() != null && j.finishedAt().isAfter(readyWall) && !resumedMs.containsKey(w)) {
            resumedMs.put(w, Duration.between(readyWall, j.finishedAt()).toMillis());
          }
        }
        cursor = batch.cursor();
        Thread.sleep(5);
      }
      Thread.sleep(2000);
      producing.set(false);
      producer.join();
      while (store.queueSummaries().stream().anyMatch(s -> s.waiting() + s.count(JobState.RUNNING) > 0)) {
        Thread.sleep(20);
      }
      int lost = 0;
      int lostInWindow = 0;
      for (int i = 0; i < acked.size(); i++) {
        if (store.find(acked.get(i)).isEmpty()) {
          lost++;
          if (killedAt - ackedAt.get(i) < 2_000_000_000L) {
            lostInWindow++;
          }
        }
      }
      List<String> lines = Files.readAllLines(log);
      Set<String> executed = new HashSet<>(lines);
      long notSucceeded = acked.stream().filter(id -> store.find(id).map(j -> j.state() != JobState.SUCCEEDED)
          .orElse(false)).count();
      System.out.printf(Locale.ROOT, "restart: redis-server killed with kill -9 and restarted after %d ms "
              + "(AOF, appendfsync everysec); it accepted connections again %d ms after the kill%n",
          intOpt("kill-after-ms", 4000), (readyAt - killedAt) / 1_000_000);
      System.out.printf(Locale.ROOT, "  workers consuming again (first job finished after redis was ready): %s%n",
          resumedMs);
      System.out.printf(Locale.ROOT, "  %,d acknowledged jobs: %,d lost (%,d acknowledged in the 2 s before the kill), "
              + "%,d not SUCCEEDED; %,d executions for %,d jobs (%,d duplicates); %,d enqueue calls failed "
              + "(reported to the producer, not acknowledged)%n", acked.size(), lost, lostInWindow, notSucceeded,
          lines.size(), executed.size(), lines.size() - executed.size(), failedEnqueues.get());
    } finally {
      killAll();
    }
  }

  // ---------------------------------------------------------------- processes

  Process startWorker(String namespace, Map<String, String> extra, String... jvmArgs) throws IOException {
    List<String> jvm = new ArrayList<>(List.of("-XX:+UseParallelGC"));
    if (opts.containsKey("jfr")) {
      jvm.add("-XX:StartFlightRecording=filename=" + opts.get("jfr") + "-" + (workerSeq + 1) + ".jfr,settings=profile,jdk.ExecutionSample#period=1ms");
    }
    jvm.addAll(List.of(jvmArgs));
    List<String> cmd = new ArrayList<>();
    Map<String, String> o = new LinkedHashMap<>();
    o.put("concurrency", opts.getOrDefault("concurrency", "64"));
    o.put("prefetch", opts.getOrDefault("prefetch", "0"));
    o.put("model", opts.getOrDefault("model", "THREADS"));
    o.put("name", "w" + (++workerSeq));
    o.putAll(extra);
    o.forEach((k, v) -> {
      cmd.add("--" + k);
      cmd.add(v);
    });
    ChildSpec spec = ChildSpec.builder("redis-bench worker" + workerSeq, RedisBenchWorker.class.getName())
        .maxHeap("512m").jvmOptions(jvm).args(cmd).env(RedisStoreConfig.ENV_URL, withNamespace(namespace)).build();
    Process p = JvmLauncher.processBuilder(spec).redirectErrorStream(true).start();
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = r.readLine()) != null) {
      if (line.startsWith("READY")) {
        break;
      }
      System.out.println("  [worker] " + line);
    }
    if (line == null) {
      throw new IOException("worker process exited before it was ready");
    }
    Thread.ofPlatform().daemon().start(() -> {
      try {
        String l;
        while ((l = r.readLine()) != null) {
          if (opts.containsKey("verbose") || l.contains("ERROR") || l.contains("Exception")) {
            System.out.println("  [worker] " + l);
          }
        }
      } catch (IOException e) {
        // the worker ended
      }
    });
    synchronized (processes) {
      processes.add(p);
    }
    return p;
  }

  /** Stops every worker process: SIGTERM (a graceful stop), then SIGKILL after 10 s. */
  void killAll() {
    synchronized (processes) {
      for (Process p : processes) {
        p.destroy();
      }
      for (Process p : processes) {
        try {
          if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      processes.clear();
    }
  }
}
