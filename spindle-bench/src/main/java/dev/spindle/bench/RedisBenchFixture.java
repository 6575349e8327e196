package dev.spindle.bench;

import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.JvmLauncher;
import dev.spindle.store.redis.RedisJobStore;
import dev.spindle.store.redis.RedisStoreConfig;
import dev.spindle.testkit.redis.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * What every {@link RedisBench} mode runs on: the options, the redis-server (started here with AOF,
 * {@code appendfsync everysec}, unless {@code SPINDLE_REDIS_URL} names one), stores opened on a
 * namespace of it, worker processes ({@link RedisBenchWorker}), and readers of Redis's CPU and
 * INFO commandstats. Used from the benchmark's main thread; the list of worker processes is guarded,
 * so that the shutdown hook may stop them from its own thread.
 */
final class RedisBenchFixture {
  private final Map<String, String> opts;
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final @Nullable RedisServer server;
  private final String url;
  private int workerSeq;

  RedisBenchFixture(Map<String, String> opts) throws IOException {
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

  /** The redis-server started here, or null when {@code SPINDLE_REDIS_URL} named one. */
  @Nullable RedisServer server() {
    return server;
  }

  /** The server's URL, without a namespace. */
  String url() {
    return url;
  }

  /**
   * A file {@code name} in this run's temporary directory, deleted if a mode wrote it before: where
   * worker processes started with {@code -Drbench.log=} (or {@code -Dqbench.log=}) log executions.
   */
  Path executionLog(String name) throws IOException {
    Path log = dir.resolve(name);
    Files.deleteIfExists(log);
    return log;
  }

  int intOpt(String k, int def) {
    return Integer.parseInt(opts.getOrDefault(k, Integer.toString(def)));
  }

  String opt(String k, String def) {
    return opts.getOrDefault(k, def);
  }

  boolean hasOpt(String k) {
    return opts.containsKey(k);
  }

  /** Whether redis-server was started here without persistence ({@code --aof no}). */
  boolean aofOff() {
    return "no".equals(opts.get("aof"));
  }

  String redisVersion() {
    try (RedisJobStore s = open("version")) {
      return server == null ? s.describe() : String.valueOf(server.info("server", "redis_version"));
    }
  }

  RedisJobStore open(String namespace) {
    return RedisJobStore.open(RedisStoreConfig.fromUrl(withNamespace(namespace), Map.of()));
  }

  String withNamespace(String namespace) {
    return url + (url.contains("?") ? "&" : "?") + "namespace=" + namespace;
  }

  void shutdown() {
    killAll();
    if (server != null) {
      server.close();
    }
  }

  // ---------------------------------------------------------------- measuring

  /** Seconds of CPU the redis-server process used so far (INFO cpu), or NaN if unknown. */
  double redisCpu() {
    if (server == null) {
      return Double.NaN;
    }
    return Double.parseDouble(server.info("cpu", "used_cpu_user")) + Double.parseDouble(server.info("cpu", "used_cpu_sys"));
  }

  /** Seconds of system CPU (the kernel's work for it: reads, writes, wake-ups) redis-server used so far. */
  double redisSystemCpu() {
    return server == null ? Double.NaN : Double.parseDouble(server.info("cpu", "used_cpu_sys"));
  }

  /** The reads of client data redis-server made so far (INFO stats): one per wake-up with requests to read. */
  long redisReads() {
    return server == null ? 0 : Long.parseLong(server.info("stats", "total_reads_processed"));
  }

  /**
   * ", N AOF rewrites so far" (INFO persistence), or "" if unknown: a rewrite forks redis-server, and
   * the fork and the child's writing slow everything measured while it runs.
   */
  String aofRewrites() {
    if (server == null || aofOff()) {
      return "";
    }
    return ", " + server.info("persistence", "aof_rewrites") + " AOF rewrites so far"
        + ("1".equals(server.info("persistence", "aof_rewrite_in_progress")) ? ", one running" : "");
  }

  /** Calls per command so far (INFO commandstats), or empty if unknown. */
  Map<String, Long> redisCalls() {
    Map<String, Long> out = new java.util.TreeMap<>();
    redisCommandStats().forEach((cmd, v) -> out.put(cmd, v[0]));
    return out;
  }

  /** Per command so far (INFO commandstats): {calls, microseconds executing}; empty if unknown. */
  Map<String, long[]> redisCommandStats() {
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
  static String perJobBreakdown(Map<String, long[]> before, Map<String, long[]> after, long jobs) {
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
  double workersCpu() {
    double sum = 0;
    synchronized (processes) {
      for (Process p : processes) {
        sum += cpuSeconds(p.info());
      }
    }
    return sum;
  }

  /** Seconds of CPU a process used so far, 0 if unknown. */
  static double cpuSeconds(ProcessHandle.Info info) {
    return info.totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
  }

  static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  // ---------------------------------------------------------------- worker processes

  /** Starts {@code count} worker processes as {@link #startWorker} does; returns them in order. */
  List<Process> startWorkers(int count, String namespace, Map<String, String> extra, String... jvmArgs)
      throws IOException {
    List<Process> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      started.add(startWorker(namespace, extra, jvmArgs));
    }
    return started;
  }

  /**
   * Starts a worker process ({@link RedisBenchWorker}) on {@code namespace} with the --concurrency,
   * --prefetch and --model options, then {@code extra}, and waits until it is ready; its output
   * is echoed with "  [worker] " (only errors after it was ready, unless --verbose).
   */
  private Process startWorker(String namespace, Map<String, String> extra, String... jvmArgs) throws IOException {
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

  /**
   * Kills one of {@code live}, chosen at random, with SIGKILL, and puts a new worker process in its
   * place (started as {@link #startWorker} would).
   */
  void killOneAndReplace(List<Process> live, String namespace, Map<String, String> extra, String... jvmArgs)
      throws IOException, InterruptedException {
    Process victim = live.remove(ThreadLocalRandom.current().nextInt(live.size()));
    victim.destroyForcibly(); // SIGKILL
    victim.waitFor();
    synchronized (processes) {
      processes.remove(victim);
    }
    live.add(startWorker(namespace, extra, jvmArgs));
  }

  /** Whether {@code --bullmq yes} asked for BullMQ's rounds beside Spindle's. */
  boolean bullmq() {
    return "yes".equals(opt("bullmq", ""));
  }

  /**
   * Runs {@code script} of the BullMQ peer (spindle-bench/peers/bullmq, or --peers) with node on
   * this server, its output inherited. Installs the peer on first use with {@code npm ci}: exactly
   * the versions of its package-lock.json, which it never rewrites. Waits first until this JVM is
   * quiet, so that its compiler and collector threads do not share the machine with the peer.
   *
   * @throws IllegalStateException if npm or node exits with an error
   */
  void runBullmq(String script, String... args) throws IOException, InterruptedException {
    Path peer = Path.of(opt("peers", "spindle-bench/peers")).resolve("bullmq");
    if (!Files.isDirectory(peer.resolve("node_modules"))) {
      runIn(peer, "npm", "ci", "--no-audit", "--no-fund", "--silent");
    }
    System.out.printf(Locale.ROOT, "  (waited %d ms for this JVM to go quiet before BullMQ's rounds)%n",
        ProcessCpu.awaitQuiet(10_000));
    List<String> command = new ArrayList<>(List.of("node", script, url));
    command.addAll(List.of(args));
    runIn(peer, command.toArray(String[]::new));
  }

  private static void runIn(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " in " + dir + " exited " + p.exitValue());
    }
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
