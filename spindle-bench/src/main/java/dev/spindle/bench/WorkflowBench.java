package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.Workflow;
import dev.spindle.queue.WorkflowHandle;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.redis.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A chord of N no-op children and a callback against the same N jobs enqueued alone, side by side
 * on one store and one in-process worker: the time until the callback ran vs until the last plain
 * job ended, and the store's space per dependency edge (SQLite: dbstat; Redis: MEMORY USAGE of the
 * dependency keys of a chord and of a chain). Rounds alternate the two. {@code --store redis}
 * starts a redis-server (the testkit's, no persistence unless {@code --aof yes}) on a free
 * loopback port.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.WorkflowBench [--jobs 10000] [--rounds 3] [--store sqlite:/tmp/wf.db|redis]
 * </pre>
 */
public final class WorkflowBench {
  private static final Task<long[], Long> COUNT = Task.of("bench.count", long[].class, Long.class,
      xs -> (long) xs.length);

  private WorkflowBench() {}

  public static void main(String[] args) throws Exception {
    int jobs = 10_000;
    int rounds = 3;
    boolean aof = false;
    String location = "sqlite:" + Files.createTempDirectory("spindle-wf").resolve("wf.db");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--jobs" -> jobs = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--store" -> location = args[++i];
        case "--aof" -> aof = "yes".equals(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    @Nullable RedisServer redis = null;
    if (location.equals("redis")) {
      redis = RedisServer.builder().appendOnly(aof).start();
      location = redis.url() + "/0?namespace=wfbench";
    }
    try {
      run(location, jobs, rounds, redis);
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  private static void run(String location, int jobs, int rounds, @Nullable RedisServer redis) throws Exception {
    TaskRegistry registry = TaskRegistry.builder().add(BenchTasks.NOOP).add(COUNT).build();
    Duration wait = Duration.ofMinutes(10);
    try (StoreBackend store = JobStores.open(location);
         JobQueue q = JobQueue.builder(store).registry(registry).build();
         Worker w = Worker.builder(store).registry(registry).model(ExecutionModel.VIRTUAL).concurrency(256)
             .pollInterval(Duration.ofMillis(20)).start()) {
      System.out.printf(Locale.ROOT, "store %s, %d no-op jobs, worker VIRTUAL x 256, %d rounds%n",
          store.describe(), jobs, rounds);
      if (redis != null) {
        redisEdgeSpace(redis, jobs);
      }
      List<Double> plain = new ArrayList<>();
      List<Double> chord = new ArrayList<>();
      List<Double> submits = new ArrayList<>();
      String lastCallback = null;
      List<Long> args = new ArrayList<>(jobs);
      for (long i = 0; i < jobs; i++) {
        args.add(i);
      }
      for (int r = 0; r < rounds; r++) {
        // alone: the same jobs as the chord's children (the same arguments); done when the worker
        // counts them all SUCCEEDED, which it does once the store accepted each outcome (polling the
        // store's per-queue counts instead cost a GROUP BY over every row each 2 ms, on the worker's
        // CPU, and more for whichever side ran longer)
        long target = w.stats().succeeded() + jobs;
        long t0 = System.nanoTime();
        List<JobHandle<Long>> hs = q.enqueueAll(BenchTasks.NOOP, args, JobOptions.defaults());
        double enqueued = (System.nanoTime() - t0) / 1e9;
        while (w.stats().succeeded() < target) {
          Thread.sleep(1);
        }
        plain.add((System.nanoTime() - t0) / 1e9);
        for (JobHandle<Long> h : hs) {
          h.result(wait); // untimed: every one succeeded
        }

        // the chord: done when the worker counts the children and the callback SUCCEEDED, seen the
        // same way (awaiting the callback's handle reads the whole finished feed up to it)
        target = w.stats().succeeded() + jobs + 1;
        t0 = System.nanoTime();
        List<Workflow> kids = new ArrayList<>(jobs);
        for (Long a : args) {
          kids.add(Workflow.task(BenchTasks.NOOP, a));
        }
        WorkflowHandle h = q.submit(Workflow.chord(Workflow.group(kids), Workflow.fromUpstream(COUNT)));
        double submitted = (System.nanoTime() - t0) / 1e9;
        while (w.stats().succeeded() < target) {
          Thread.sleep(1);
        }
        chord.add((System.nanoTime() - t0) / 1e9);
        submits.add(submitted);
        long n = h.last().get(0).result(wait).asLong(); // untimed
        lastCallback = h.last().get(0).id();
        if (n != jobs) {
          throw new IllegalStateException("the callback saw " + n + " results, not " + jobs);
        }
        System.out.printf(Locale.ROOT, "round %d: %d jobs alone %.2f s (their enqueue call %.2f s), chord of %d"
            + " + callback %.2f s (%.2fx; its submit call %.2f s)%n", r + 1, jobs, plain.get(r), enqueued, jobs,
            chord.get(r), chord.get(r) / plain.get(r), submits.get(r));
      }
      Collections.sort(plain);
      Collections.sort(chord);
      double p = plain.get(rounds / 2);
      double c = chord.get(rounds / 2);
      System.out.printf(Locale.ROOT, "median: alone %.2f s (%.0f jobs/s), chord %.2f s (%.0f jobs/s): %.2fx%n",
          p, jobs / p, c, (jobs + 1) / c, c / p);
      if (location.startsWith("sqlite:")) {
        edgeSpace(Path.of(location.substring(7)), jobs * rounds);
      }
      if (redis != null && lastCallback != null) {
        long cb = memoryUsage(redis, "{wfbench}:wt:" + lastCallback);
        long told = memoryUsage(redis, "{wfbench}:wb:" + lastCallback) + memoryUsage(redis, "{wfbench}:we:"
            + lastCallback);
        System.out.printf(Locale.ROOT, "redis, the last chord after it ran (every end told): callback's wait record"
            + " %,d + ends told (bitmap and log, results kept for its input) %,d = %.1f bytes per edge, + dn%n", cb,
            told, (double) (cb + told) / jobs);
      }
    }
  }

  /**
   * Bytes per dependency edge on Redis, in a namespace of its own without a worker: the dependency
   * keys (MEMORY USAGE, exact) of a waiting chord of {@code n} children and of a waiting chain of
   * at most 1,000 jobs (in a namespace of its own), and the server's used_memory growth of that
   * chord against the same jobs alone.
   */
  private static void redisEdgeSpace(RedisServer redis, int n) {
    String ns = "{wfspace}:";
    try (StoreBackend store = JobStores.open(redis.url() + "/0?namespace=wfspace");
         JobQueue q = JobQueue.builder(store).registry(TaskRegistry.builder().add(BenchTasks.NOOP).add(COUNT).build())
             .build()) {
      long m0 = usedMemory(redis);
      q.enqueueAll(BenchTasks.NOOP, Collections.nCopies(n, 1L), JobOptions.defaults());
      long m1 = usedMemory(redis);
      List<Workflow> kids = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        kids.add(Workflow.task(BenchTasks.NOOP, (long) i));
      }
      long t0 = System.nanoTime();
      WorkflowHandle h = q.submit(Workflow.chord(Workflow.group(kids), Workflow.fromUpstream(COUNT)));
      System.out.printf(Locale.ROOT, "redis, submitting a chord of %,d (one script call): %.0f ms%n", n,
          (System.nanoTime() - t0) / 1e6);
      long m2 = usedMemory(redis);
      long dn = memoryUsage(redis, ns + "dn:*");
      long wt = memoryUsage(redis, ns + "wt:" + h.last().get(0).id());
      System.out.printf(Locale.ROOT, "redis, a waiting chord of %,d: dn (%s) %,d + callback's wt (%s) %,d = %.1f bytes"
          + " per edge; used_memory +%,d for %,d jobs alone, +%,d for the chord (%+.1f bytes per edge)%n", n,
          redis.command("OBJECT", "ENCODING", firstKey(redis, ns + "dn:*")), dn, redis.command("OBJECT", "ENCODING", ns + "wt:"
              + h.last().get(0).id()), wt, (double) (dn + wt) / n, m1 - m0, n, m2 - m1,
          (double) ((m2 - m1) - (m1 - m0)) / n);
    }
    // a chain in a namespace of its own, so that its P..'dn' holds only its entries
    try (StoreBackend store = JobStores.open(redis.url() + "/0?namespace=wfchain");
         JobQueue q = JobQueue.builder(store).registry(TaskRegistry.builder().add(BenchTasks.NOOP).build()).build()) {
      String cns = "{wfchain}:";
      int len = Math.min(n, 1000);
      Workflow[] steps = new Workflow[len];
      steps[0] = Workflow.task(BenchTasks.NOOP, 1L);
      for (int i = 1; i < len; i++) {
        steps[i] = Workflow.fromUpstream(BenchTasks.NOOP);
      }
      WorkflowHandle chain = q.submit(Workflow.chain(steps));
      long chainDn = memoryUsage(redis, cns + "dn:*");
      long chainWt = 0;
      for (String id : chain.ids().subList(1, len)) {
        chainWt += memoryUsage(redis, cns + "wt:" + id);
      }
      System.out.printf(Locale.ROOT, "redis, a waiting chain of %,d: dn %,d + %,d wait records %,d = %.1f bytes"
          + " per edge%n", len, chainDn, len - 1, chainWt, (double) (chainDn + chainWt) / (len - 1));
    }
  }


  private static long usedMemory(RedisServer redis) {
    return Long.parseLong(redis.info("memory", "used_memory"));
  }

  /** MEMORY USAGE (exact) of a key, or the sum over the keys a pattern with {@code *} matches. */
  private static long memoryUsage(RedisServer redis, String key) {
    if (key.endsWith("*")) {
      long sum = 0;
      for (Object k : (List<?>) Objects.requireNonNull(redis.command("KEYS", key))) {
        sum += memoryUsage(redis, (String) k);
      }
      return sum;
    }
    Object v = redis.command("MEMORY", "USAGE", key, "SAMPLES", "0");
    return v == null ? 0 : (Long) v;
  }

  private static String firstKey(RedisServer redis, String pattern) {
    List<?> keys = (List<?>) Objects.requireNonNull(redis.command("KEYS", pattern));
    return keys.isEmpty() ? pattern : (String) keys.get(0);
  }

  /** Bytes of the dependency tables per edge, from SQLite's dbstat (when compiled in). */
  private static void edgeSpace(Path db, int edges) {
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
         var st = c.createStatement();
         var rs = st.executeQuery("SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'spindle_deps%'"
             + " OR name LIKE 'spindle_waits%' GROUP BY name")) {
      long total = 0;
      while (rs.next()) {
        System.out.printf(Locale.ROOT, "  %-32s %,d bytes%n", rs.getString(1), rs.getLong(2));
        total += rs.getLong(2);
      }
      System.out.printf(Locale.ROOT, "dependency storage: %,d bytes for %,d edges = %.0f bytes per edge"
          + " (results copied to edges included)%n", total, edges, (double) total / edges);
    } catch (java.sql.SQLException e) {
      System.out.println("dependency storage: not measured (" + e.getMessage() + ")");
    }
  }
}
