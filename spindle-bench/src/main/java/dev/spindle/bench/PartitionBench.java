package dev.spindle.bench;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.redis.PartitionedRedisJobStore;
import dev.spindle.store.redis.RedisJobStore;
import dev.spindle.store.redis.RedisStoreConfig;
import dev.spindle.testkit.redis.RedisCluster;
import dev.spindle.testkit.redis.RedisServer;
import java.lang.management.ManagementFactory;
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
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drain of one queue on a three-master Redis Cluster started here: the same backlog of no-op jobs
 * drained from an ordinary store (one namespace, so one master) and from a partitioned store (three
 * partitions, one per master), side by side in one run, alternating. The consumers are threads of
 * this JVM calling the store directly (claim+complete exchanges of {@code --batch} jobs, as a
 * worker does); prints jobs/s, the ratio, Redis CPU (INFO cpu) per job on each master, this JVM's
 * CPU per job, and where each master's time went (INFO commandstats). Not thread-safe; run once.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.PartitionBench [--jobs 60000] [--threads 4] [--batch 64] [--rounds 2] [--aof yes]
 * </pre>
 */
public final class PartitionBench {
  private final RedisCluster cluster;
  private final int jobs;
  private final int threads;
  private final int batch;
  private int namespaces;

  private PartitionBench(RedisCluster cluster, Map<String, String> o) {
    this.cluster = cluster;
    this.jobs = Integer.parseInt(o.getOrDefault("jobs", "60000"));
    this.threads = Integer.parseInt(o.getOrDefault("threads", "4"));
    this.batch = Integer.parseInt(o.getOrDefault("batch", "64"));
  }

  /** Runs the comparison; see the class comment for the options. */
  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    boolean aof = !"no".equals(o.getOrDefault("aof", "yes"));
    try (RedisCluster cluster = RedisCluster.start(3, aof)) {
      PartitionBench b = new PartitionBench(cluster, o);
      System.out.printf(Locale.ROOT, "machine: %d cores, load average %.2f; redis %s, 3 masters (%s); %d jobs, %d "
          + "consumer threads, exchanges of %d%n", Runtime.getRuntime().availableProcessors(), load(),
          cluster.nodes().get(0).info("server", "redis_version"), aof ? "appendonly everysec" : "no persistence",
          b.jobs, b.threads, b.batch);
      int rounds = Integer.parseInt(o.getOrDefault("rounds", "2"));
      List<Result> single = new ArrayList<>();
      List<Result> parted = new ArrayList<>();
      b.round(false, 5_000);
      b.round(true, 5_000);
      for (int r = 0; r < rounds; r++) {
        single.add(b.round(false, b.jobs));
        parted.add(b.round(true, b.jobs));
      }
      Result s = best(single);
      Result p = best(parted);
      System.out.printf(Locale.ROOT, "%nbest of %d: one master %,.0f jobs/s, three partitions %,.0f jobs/s: ratio %.2f "
          + "(load average now %.2f)%n", rounds, s.rate, p.rate, p.rate / s.rate, load());
    }
    System.exit(0);
  }

  private record Result(double rate) {}

  private static Result best(List<Result> rs) {
    return rs.stream().max((a, b) -> Double.compare(a.rate, b.rate)).orElseThrow();
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** A namespace whose three partitions are on three different masters. */
  private String spreadNamespace() {
    while (true) {
      String ns = "bench-" + ++namespaces;
      Set<RedisServer> nodes = new HashSet<>();
      for (int p = 0; p < 3; p++) {
        nodes.add(cluster.nodeForSlot(RedisCluster.slot(PartitionedRedisJobStore.namespace(ns, p))));
      }
      if (nodes.size() == 3) {
        return ns;
      }
    }
  }

  private StoreBackend open(boolean partitioned, String ns) {
    RedisStoreConfig c = RedisStoreConfig.fromUrl(cluster.seedUrl() + "?cluster=true&namespace=" + ns
        + (partitioned ? "&partitions=3" : ""), Map.of());
    return partitioned ? PartitionedRedisJobStore.open(c) : RedisJobStore.open(c);
  }

  private Result round(boolean partitioned, int n) throws Exception {
    String ns = spreadNamespace();
    try (StoreBackend store = open(partitioned, ns)) {
      Instant now = Instant.now();
      List<NewJob> chunk = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        chunk.add(new NewJob("noop", "1", "default", 0, now, null, JobPolicy.defaults(), now));
        if (chunk.size() == 500) {
          store.enqueue(chunk);
          chunk = new ArrayList<>();
        }
      }
      if (!chunk.isEmpty()) {
        store.enqueue(chunk);
      }
      for (int t = 0; t < threads; t++) {
        store.heartbeat(worker("c" + t));
      }
      double[] cpu0 = cpu();
      List<Map<String, long[]>> stats0 = commandStats();
      long jvm0 = ProcessCpu.nanos();
      AtomicLong done = new AtomicLong();
      long t0 = System.nanoTime();
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String id = "c" + t;
        ts.add(Thread.ofPlatform().name(id).start(() -> consume(store, id, done, n)));
      }
      for (Thread t : ts) {
        t.join();
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      double[] cpu1 = cpu();
      List<Map<String, long[]>> stats1 = commandStats();
      double jvmUs = (ProcessCpu.nanos() - jvm0) / 1e3 / n;
      double rate = n / secs;
      if (n < jobs) {
        return new Result(rate);
      }
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT, "%n%s: %,d jobs in %.2f s = %,.0f jobs/s; this JVM %.1f us CPU/job; load %.2f%n",
          partitioned ? "three partitions (one per master)" : "one master (ordinary store)", n, secs, rate, jvmUs,
          load()));
      double total = 0;
      for (int m = 0; m < cpu0.length; m++) {
        double us = (cpu1[m] - cpu0[m]) * 1e6 / n;
        total += us;
        sb.append(String.format(Locale.ROOT, "  master %d: %5.1f us Redis CPU per job drained (%4.0f%% of a core)  %s%n",
            m, us, (cpu1[m] - cpu0[m]) / secs * 100, top(stats0.get(m), stats1.get(m), n)));
      }
      sb.append(String.format(Locale.ROOT, "  all masters: %.1f us Redis CPU per job%n", total));
      System.out.print(sb);
      return new Result(rate);
    }
  }

  private void consume(StoreBackend store, String id, AtomicLong done, int n) {
    List<Completion> outcomes = new ArrayList<>();
    while (true) {
      Instant now = Instant.now();
      boolean last = done.get() + outcomes.size() >= n;
      Exchange x = store.completeAndClaim(outcomes, last ? null : new ClaimRequest(id, List.of("default"), batch, now),
          now);
      done.addAndGet(outcomes.size());
      outcomes = new ArrayList<>();
      for (JobInfo j : x.claim().jobs()) {
        outcomes.add(Completion.succeeded(j.id(), j.fence(), id, "1"));
      }
      if (outcomes.isEmpty() && done.get() >= n) {
        return;
      }
    }
  }

  private static WorkerRecord worker(String id) {
    Instant now = Instant.now();
    return new WorkerRecord(id, "bench", "host", 1, List.of("default"), 64, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofHours(1)), 0, 0, 0, 0);
  }

  /** Seconds of CPU each master used so far (INFO cpu, user + sys). */
  private double[] cpu() {
    double[] out = new double[cluster.nodes().size()];
    for (int i = 0; i < out.length; i++) {
      RedisServer s = cluster.nodes().get(i);
      out[i] = Double.parseDouble(s.info("cpu", "used_cpu_user")) + Double.parseDouble(s.info("cpu", "used_cpu_sys"));
    }
    return out;
  }

  /** Per master: command -> {calls, usec} (INFO commandstats). */
  private List<Map<String, long[]>> commandStats() {
    List<Map<String, long[]>> out = new ArrayList<>();
    for (RedisServer s : cluster.nodes()) {
      Map<String, long[]> m = new TreeMap<>();
      for (String line : ((String) Objects.requireNonNull(s.command("INFO", "commandstats"))).split("\r\n")) {
        if (line.startsWith("cmdstat_")) {
          String cmd = line.substring(8, line.indexOf(':'));
          m.put(cmd, new long[] {field(line, "calls="), field(line, "usec=")});
        }
      }
      out.add(m);
    }
    return out;
  }

  private static long field(String line, String name) {
    int i = line.indexOf(name) + name.length();
    int end = line.indexOf(',', i);
    return Long.parseLong(line.substring(i, end < 0 ? line.length() : end));
  }

  /** The three commands with the most time between the two readings: name calls us-per-job. */
  private static String top(Map<String, long[]> before, Map<String, long[]> after, int n) {
    List<String[]> rows = new ArrayList<>();
    after.forEach((cmd, v) -> {
      long[] b = before.getOrDefault(cmd, new long[2]);
      long calls = v[0] - b[0];
      long usec = v[1] - b[1];
      if (calls > 0) {
        rows.add(new String[] {cmd, Long.toString(calls), Long.toString(usec)});
      }
    });
    rows.sort((x, y) -> Long.compare(Long.parseLong(y[2]), Long.parseLong(x[2])));
    StringBuilder sb = new StringBuilder("top:");
    for (int i = 0; i < Math.min(3, rows.size()); i++) {
      String[] r = rows.get(i);
      sb.append(String.format(Locale.ROOT, " %s %s calls %.1f us/job;", r[0], r[1], Long.parseLong(r[2]) / (double) n));
    }
    return sb.toString();
  }
}
