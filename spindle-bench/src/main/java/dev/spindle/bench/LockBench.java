package dev.spindle.bench;

import dev.spindle.coordination.Coordinator;
import dev.spindle.coordination.FencedLock;
import dev.spindle.testkit.redis.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Lock acquire + release throughput and latency, side by side in one run: Spindle's fenced lock on
 * SQLite (one host) and on Redis, and Redisson's {@code RLock} (watchdog mode, {@code lock()})
 * on the same redis-server. Two scenarios per backend: one thread alone (each operation is an
 * uncontended acquire and release), and {@code --threads} platform threads contending for one lock.
 * A sample is one acquire plus one release, timed by the thread doing it.
 *
 * <pre>
 * $B dev.spindle.bench.LockBench [--ops 5000] [--threads 4] [--rounds 3]
 * </pre>
 *
 * redis-server: started here (no persistence) unless {@code SPINDLE_REDIS_URL} is set.
 */
public final class LockBench {
  private interface Locker {
    /** Acquires and releases once. */
    void cycle() throws Exception;
  }

  private LockBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int ops = Integer.parseInt(o.getOrDefault("ops", "5000"));
    int threads = Integer.parseInt(o.getOrDefault("threads", "4"));
    int rounds = Integer.parseInt(o.getOrDefault("rounds", "3"));
    String url = System.getenv("SPINDLE_REDIS_URL");
    RedisServer server = null;
    if (url == null) {
      server = RedisServer.builder().appendOnly(false).start();
      url = server.url();
    }
    Path dir = Files.createTempDirectory("lockbench-");
    System.out.printf(Locale.ROOT, "machine: %d cores, JVM %s; %d ops per scenario, %d threads contending, %d rounds"
        + " (median throughput, latencies of the median round)%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.version"), ops, threads, rounds);
    Config config = new Config();
    config.useSingleServer().setAddress(url);
    RedissonClient redisson = Redisson.create(config);
    try (Coordinator sqlite = Coordinator.builder().sqlite(dir.resolve("locks.db")).build();
        Coordinator redis = Coordinator.builder().namespace("lockbench").redis(url).build()) {
      Map<String, java.util.function.Function<String, Locker>> backends = new LinkedHashMap<>();
      backends.put("spindle sqlite", name -> {
        FencedLock l = sqlite.lock(name);
        return () -> l.acquire().close();
      });
      backends.put("spindle redis", name -> {
        FencedLock l = redis.lock(name);
        return () -> l.acquire().close();
      });
      backends.put("redisson RLock", name -> {
        RLock l = redisson.getLock("lockbench-redisson-" + name);
        return () -> {
          l.lock();
          l.unlock();
        };
      });
      for (int scenario : new int[] {1, threads}) {
        for (var b : backends.entrySet()) {
          run(b.getKey(), b.getValue(), scenario, ops, rounds);
        }
      }
    } finally {
      redisson.shutdown();
      if (server != null) {
        server.close();
      }
    }
  }

  private static void run(String label, java.util.function.Function<String, Locker> make, int threads, int ops,
      int rounds) throws Exception {
    // warm-up
    Locker w = make.apply("warm");
    for (int i = 0; i < Math.min(1000, ops); i++) {
      w.cycle();
    }
    List<double[]> results = new ArrayList<>();
    List<List<Long>> samples = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      String name = "bench-" + threads + "-" + r;
      ConcurrentLinkedQueue<Long> micros = new ConcurrentLinkedQueue<>();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> ts = new ArrayList<>();
      int per = ops / threads;
      for (int t = 0; t < threads; t++) {
        Locker l = make.apply(name);
        ts.add(Thread.ofPlatform().start(() -> {
          try {
            start.await();
            for (int i = 0; i < per; i++) {
              long t0 = System.nanoTime();
              l.cycle();
              micros.add((System.nanoTime() - t0) / 1000);
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }));
      }
      long t0 = System.nanoTime();
      start.countDown();
      for (Thread t : ts) {
        t.join();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      results.add(new double[] {per * threads / seconds, r});
      samples.add(new ArrayList<>(micros));
    }
    results.sort((a, b) -> Double.compare(a[0], b[0]));
    double[] median = results.get(results.size() / 2);
    System.out.printf(Locale.ROOT, "%-15s %d thread(s): %,8.0f acquire+release/s; %s%n", label, threads, median[0],
        Latencies.summary(samples.get((int) median[1])));
  }
}
