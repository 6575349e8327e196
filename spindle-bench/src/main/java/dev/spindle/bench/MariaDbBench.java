package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.mariadb.MariaDbServer;
import dev.spindle.testkit.postgres.PostgresServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * The MariaDB store next to the PostgreSQL store on this machine, in one JVM, rounds alternating
 * between them (after one warm-up round each): a drain of {@code --jobs} no-op jobs enqueued in
 * one call by a worker in this JVM, {@code --singles} single enqueues, and the enqueue-to-start
 * latency of {@code --samples} jobs on an idle worker. Both servers are the testkit's (Debian's
 * binaries, private data directories; PostgreSQL with {@code fsync=off}, MariaDB with {@code
 * innodb_flush_log_at_trx_commit=2}). Prints each round and the medians.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.MariaDbBench [--rounds 3] [--jobs 100000] [--singles 2000] [--samples 200]
 * </pre>
 */
public final class MariaDbBench {
  private static final Clock WALL = Clock.systemUTC();
  private final int jobs;
  private final int singles;
  private final int samples;
  private final PostgresServer pg = PostgresServer.start();
  private final MariaDbServer maria = MariaDbServer.start();

  private MariaDbBench(int jobs, int singles, int samples) {
    this.jobs = jobs;
    this.singles = singles;
    this.samples = samples;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
    MariaDbBench bench = new MariaDbBench(Integer.parseInt(opts.getOrDefault("jobs", "100000")),
        Integer.parseInt(opts.getOrDefault("singles", "2000")), Integer.parseInt(opts.getOrDefault("samples", "200")));
    Map<String, List<double[]>> results = new LinkedHashMap<>();
    for (int round = 0; round <= rounds; round++) {
      for (String kind : List.of("postgres", "mariadb")) {
        double[] r = bench.round(kind, round);
        System.out.printf(Locale.ROOT, "round %d %-8s drain %,8.0f jobs/s  single enqueue %,7.0f /s  start p50 %6.2f ms%s%n",
            round, kind, r[0], r[1], r[2], round == 0 ? "  (warm-up)" : "");
        if (round > 0) {
          results.computeIfAbsent(kind, k -> new ArrayList<>()).add(r);
        }
      }
    }
    for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
      System.out.printf(Locale.ROOT, "median %-8s drain %,8.0f jobs/s  single enqueue %,7.0f /s  start p50 %6.2f ms%n",
          e.getKey(), median(e.getValue(), 0), median(e.getValue(), 1), median(e.getValue(), 2));
    }
    bench.pg.close();
    bench.maria.close();
  }

  private static double median(List<double[]> rows, int column) {
    return Medians.median(rows.stream().map(r -> r[column]).toList());
  }

  /** One round on a fresh schema or database: {drain jobs/s, single enqueues/s, median enqueue-to-start ms}. */
  private double[] round(String kind, int round) throws Exception {
    String location;
    if (kind.equals("postgres")) {
      location = "postgres://" + pg.host() + ":" + pg.port() + "/postgres?user=" + pg.user() + "&schema="
          + PostgresServer.newSchema("bench" + round);
    } else {
      location = "mariadb://" + maria.host() + ":" + maria.port() + "/" + maria.newDatabase("bench" + round) + "?user="
          + maria.user() + "&sslMode=disable";
    }
    try (StoreBackend store = open(kind, location);
        JobQueue q = JobQueue.builder(store).registry(TaskRegistry.of(QueueBenchTasks.class)).build()) {
      JobOptions singleOpts = JobOptions.builder().queue("singles").build();
      long t0 = System.nanoTime();
      for (int i = 0; i < singles; i++) {
        q.enqueue(QueueBenchTasks.NOOP, (long) i, singleOpts);
      }
      double singleRate = singles / ((System.nanoTime() - t0) / 1e9);
      q.enqueueAll(QueueBenchTasks.NOOP, LongStream.range(0, jobs).boxed().toList(),
          JobOptions.builder().queue("drain").build());
      long c0 = store.finishCursor();
      long d0 = System.nanoTime();
      try (Worker w = q.worker().queues("drain").concurrency(64).model(ExecutionModel.VIRTUAL).start()) {
        while (store.finishCursor() - c0 < jobs) {
          Thread.sleep(5);
        }
      }
      double drain = jobs / ((System.nanoTime() - d0) / 1e9);
      List<Double> latencies = new ArrayList<>();
      JobOptions latencyOpts = JobOptions.builder().queue("latency").build();
      try (Worker w = q.worker().queues("latency").concurrency(4).model(ExecutionModel.VIRTUAL).start()) {
        for (int i = 0; i < samples; i++) {
          Thread.sleep(20); // the worker idles between samples, as a queue that is mostly empty
          long before = micros();
          long started = q.enqueue(QueueBenchTasks.STAMP, 0L, latencyOpts).result(Duration.ofSeconds(30));
          latencies.add((started - before) / 1000.0);
        }
      }
      return new double[] {drain, singleRate, Medians.median(latencies)};
    }
  }

  private StoreBackend open(String kind, String location) {
    String password = kind.equals("postgres") ? pg.password() : maria.password();
    return kind.equals("postgres")
        ? dev.spindle.store.postgres.PostgresJobStoreProvider.builder(location, Map.of("PGPASSWORD", password)).open()
        : dev.spindle.store.mariadb.MariaDbJobStoreProvider.builder(location, Map.of("MARIADB_PASSWORD", password))
            .open();
  }

  private static long micros() {
    java.time.Instant t = WALL.instant();
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }
}
