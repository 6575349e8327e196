package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.testkit.postgres.PostgresServer;
import dev.spindle.testkit.redis.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Durable execution side by side: the same two workflows (ten no-op steps; a step, a durable sleep,
 * two steps) as Spindle durable jobs and as DBOS Transact workflows, on one PostgreSQL server started
 * here (the testkit's {@link PostgresServer}), rounds alternating. Prints per round and as medians:
 * workflows/s, the wall time and process CPU per step, and the SQL statements PostgreSQL ran per
 * step (from {@code pg_stat_statements}, BEGIN and COMMIT included: about the store round trips a step
 * costs; background polling is counted too).
 *
 * <p>Usage: {@code DurableBench [--workflows 2000] [--rounds 3] [--concurrency 32] [--sleep-ms 1000]
 * [--systems spindle-pg,dbos,dbos-direct,spindle-sqlite] [--producers 1] [--top 0]}. {@code --producers P}
 * starts the workflows from P threads (as a web application's request threads would), in both systems. {@code --top N} prints the N
 * statements PostgreSQL spent most execution time on in each round. {@code dbos} starts workflows on a DBOS
 * queue polled every 50 ms with a worker concurrency of {@code --concurrency}; {@code dbos-direct}
 * starts each at once on DBOS's own executor; {@code spindle-pg} and {@code spindle-sqlite} enqueue
 * each workflow as a durable job for one in-process worker of {@code --concurrency} virtual-thread
 * slots. A sleep of a second or more gives a Spindle worker's slot back.
 */
public final class DurableBench {
  private final PostgresServer server;
  private final int workflows;
  private final int concurrency;
  private final Duration sleep;
  private final int top;
  private final int producers;
  private @Nullable Path dir;

  private DurableBench(PostgresServer server, Map<String, String> opts) {
    this.server = server;
    this.workflows = Integer.parseInt(opts.getOrDefault("workflows", "2000"));
    this.concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "32"));
    this.sleep = Duration.ofMillis(Long.parseLong(opts.getOrDefault("sleep-ms", "1000")));
    this.top = Integer.parseInt(opts.getOrDefault("top", "0"));
    this.producers = Integer.parseInt(opts.getOrDefault("producers", "1"));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
    List<String> systems = List.of(opts.getOrDefault("systems", "spindle-pg,dbos,dbos-direct,spindle-sqlite").split(","));
    try (PostgresServer server = PostgresServer.start()) {
      // pg_stat_statements must be preloaded: set, restart, then the view exists
      server.psql("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
      server.restart();
      server.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      DurableBench bench = new DurableBench(server, opts);
      System.out.printf(Locale.ROOT, "machine: %d cores, %s; PostgreSQL on 127.0.0.1:%d (fsync off); %,d workflows"
          + " a round, concurrency %d, sleep %d ms, %d producer thread(s)%n", Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.version"), server.port(), bench.workflows, bench.concurrency,
          bench.sleep.toMillis(), bench.producers);
      Map<String, List<double[]>> results = new LinkedHashMap<>();
      for (String system : systems) {
        try (Subject subject = bench.open(system)) {
          subject.run(Math.max(100, bench.workflows / 10), false); // warm-up
          subject.run(Math.max(100, bench.workflows / 10), true);
          for (int round = 1; round <= rounds; round++) {
            for (boolean sleepy : new boolean[] {false, true}) {
              double[] r = bench.measure(subject, sleepy);
              String key = system + (sleepy ? " 3 steps + sleep" : " 10 steps");
              results.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
              print("round " + round + " " + key, r);
            }
          }
        }
      }
      for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
        double[] median = new double[5];
        for (int i = 0; i < median.length; i++) {
          int col = i;
          median[i] = Medians.median(e.getValue().stream().map(r -> r[col]).toList());
        }
        print("median " + e.getKey(), median);
      }
      bench.deleteDir();
    }
  }

  private void deleteDir() throws IOException {
    if (dir != null) {
      try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
  }

  private static void print(String label, double[] r) {
    System.out.printf(Locale.ROOT, "%-34s %,9.0f workflows/s  %7.1f µs wall/step  %7.1f µs CPU/step"
        + "  %5.2f statements/step  %5.2f s to start them%n", label, r[0], r[1], r[2], r[3], r[4]);
  }

  /**
   * One system under test: it runs {@code n} workflows of one kind, one start call each from one
   * thread, and returns when all ended: the seconds the starts took.
   */
  interface Subject extends AutoCloseable {
    double run(int n, boolean sleepy) throws Exception;

    @Override
    void close() throws Exception;
  }

  private Subject open(String system) {
    String schema = PostgresServer.newSchema(system.replace('-', '_'));
    return switch (system) {
      case "dbos", "dbos-direct" -> {
        DbosFlows flows = new DbosFlows(server.jdbcUrl("postgres"), server.user(), server.password(), schema,
            concurrency, sleep);
        yield new Subject() {
          @Override
          public double run(int n, boolean sleepy) throws InterruptedException {
            return flows.run(n, sleepy, system.equals("dbos-direct"), producers);
          }

          @Override
          public void close() {
            flows.close();
          }
        };
      }
      case "spindle-pg" -> spindle(server.location() + "&schema=" + schema + "&passwordFile=" + passwordFile());
      case "spindle-sqlite" -> spindle("sqlite:" + tempDir().resolve("durable.db"));
      case "spindle-redis" -> spindleOnRedis();
      default -> throw new IllegalArgumentException(
          "--systems: dbos, dbos-direct, spindle-pg, spindle-sqlite, not " + system);
    };
  }

  /**
   * Spindle's durable jobs on {@code location}: one worker in this JVM with {@code --concurrency}
   * slots; each workflow is one job enqueued alone (as DBOS starts each workflow), and a round ends
   * when the store's finished feed has counted every job.
   */
  private Subject spindle(String location) {
    JobStore store = JobStores.open(location);
    JobQueue queue = JobQueue.builder(store).registry(TaskRegistry.of(DurableBenchTasks.class)).build();
    Worker worker = queue.worker().queues("durable").concurrency(concurrency).model(ExecutionModel.VIRTUAL).start();
    JobOptions options = JobOptions.builder().queue("durable").build();
    return new Subject() {
      @Override
      public double run(int n, boolean sleepy) throws InterruptedException {
        long c0 = store.finishCursor();
        double started = startAll(n, producers, i -> {
          if (sleepy) {
            queue.enqueue(DurableBenchTasks.SLEEPY, sleep.toMillis(), options);
          } else {
            queue.enqueue(DurableBenchTasks.TEN_STEPS, (long) i, options);
          }
        });
        while (store.finishCursor() - c0 < n) {
          Thread.sleep(20); // polling the store for progress (a read transaction), not synchronisation
        }
        return started;
      }

      @Override
      public void close() {
        worker.close();
        queue.close();
        store.close();
      }
    };
  }

  /**
   * Calls {@code start} for 0 to {@code n - 1} from {@code producers} threads (one: the caller's),
   * each taking every {@code producers}-th index, and returns the seconds until all returned.
   */
  static double startAll(int n, int producers, IntConsumer start) throws InterruptedException {
    long t0 = System.nanoTime();
    if (producers <= 1) {
      for (int i = 0; i < n; i++) {
        start.accept(i);
      }
      return (System.nanoTime() - t0) / 1e9;
    }
    List<Thread> threads = new ArrayList<>();
    java.util.concurrent.atomic.AtomicReference<@Nullable Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
    for (int p = 0; p < producers; p++) {
      int from = p;
      threads.add(Thread.ofPlatform().name("producer-" + p).start(() -> {
        try {
          for (int i = from; i < n; i += producers) {
            start.accept(i);
          }
        } catch (RuntimeException | Error e) {
          failed.compareAndSet(null, e);
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    Throwable t = failed.get();
    if (t != null) {
      throw new IllegalStateException("a producer failed", t);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private Path tempDir() {
    try {
      if (dir == null) {
        dir = Files.createTempDirectory("spindle-durable-bench");
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The PostgreSQL password in an owner-only file, for the store's location (never in it). */
  private Path passwordFile() {
    Path file = tempDir().resolve("pw");
    try {
      if (!Files.exists(file)) {
        Files.writeString(file, server.password() + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {workflows/s, µs wall per step, µs process CPU per step, PostgreSQL statements per step, s to start}. */
  private double[] measure(Subject subject, boolean sleepy) throws Exception {
    int steps = sleepy ? 3 : 10;
    if (top > 0) {
      server.psql("SELECT pg_stat_statements_reset()");
    }
    long statements0 = statements();
    long cpu0 = ProcessCpu.nanos();
    long t0 = System.nanoTime();
    double started = subject.run(workflows, sleepy);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuMicros = (ProcessCpu.nanos() - cpu0) / 1e3;
    long statements = statements() - statements0;
    double stepCount = (double) workflows * steps;
    if (top > 0) {
      System.out.print(server.psql("SELECT calls, round(total_exec_time) AS ms, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 150)"
          + " FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT " + top));
    }
    return new double[] {workflows / seconds, seconds * 1e6 / stepCount, cpuMicros / stepCount, statements / stepCount, started};
  }

  private long statements() {
    return Long.parseLong(server.psql("SELECT sum(calls) FROM pg_stat_statements").strip());
  }

  /**
   * {@link #spindle} on a redis-server started here (no persistence), stopped with the subject:
   * {@code --systems spindle-redis}. Its statements per step count PostgreSQL's background only.
   */
  private Subject spindleOnRedis() {
    RedisServer redis = RedisServer.builder().appendOnly(false).start();
    Subject jobs = spindle(redis.url() + "/0?namespace=durable");
    return new Subject() {
      @Override
      public double run(int n, boolean sleepy) throws Exception {
        return jobs.run(n, sleepy);
      }

      @Override
      public void close() throws Exception {
        try {
          jobs.close();
        } finally {
          redis.close();
        }
      }
    };
  }
}
