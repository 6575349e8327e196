package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.DurableContext;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.postgres.PostgresJobStore;
import dev.spindle.store.redis.RedisJobStore;
import dev.spindle.store.redis.RedisStoreConfig;
import dev.spindle.store.sqlite.SqliteJobStore;
import dev.spindle.testkit.postgres.PostgresServer;
import dev.spindle.testkit.redis.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * A million sleeping durable jobs: what they cost the store, how late they wake when they all fall
 * due together, and whether an ordinary queue beside them drains as fast as on an empty store.
 *
 * <p>One worker in this JVM serves both queues of the store under test; a second, empty store of the
 * same kind (another file, schema or namespace on the same server) has a worker of its own for the
 * ordinary queue. First {@code --jobs} durable jobs each take a step and a durable sleep of an hour
 * (each job runs once and gives its slot back); then the store's size; then ordinary drains of
 * {@code --drain} no-op jobs alternate between the empty store and the store beside the sleepers,
 * {@code --pairs} times (after one each to warm up), and their medians are compared; then the
 * store's and the worker's clock (one {@link ShiftedClock}) jumps an hour ahead, so every sleeper
 * falls due at once, and each records how long after the jump it ran again: lateness percentiles,
 * and the rate they all finished at.
 *
 * <p>Usage: {@code SleepingJobsBench [--store sqlite|postgres|redis] [--jobs 1000000] [--drain 50000]
 * [--concurrency 64] [--pairs 3]}. PostgreSQL and redis-server are started here (the testkit's servers, {@code
 * fsync} off, no persistence); SQLite lives in a temporary directory. The store's clock is injected:
 * the servers' own clocks are not used. The store's size is its files (SQLite), its relations
 * (PostgreSQL) or the server's {@code used_memory} (Redis, which also counts the calls' kept replies;
 * {@link RedisKeys} prints the memory by kind of key while the sleepers sleep).
 */
public final class SleepingJobsBench {
  private static final String SLEEPERS = "sleepers";
  private static final String PLAIN = "plain";
  private static final Duration NAP = Duration.ofHours(1);
  private static final ShiftedClock CLOCK = new ShiftedClock();
  /** The clock's shift at the jump (nanoTime), and each woken job's delay after it in microseconds. */
  private static final AtomicLong JUMPED_AT = new AtomicLong();
  private static final AtomicInteger WOKEN = new AtomicInteger();
  private static long[] lateness = new long[0];
  /** How many alternating pairs of ordinary drains (empty store, then beside the sleepers). */
  private static int pairs = 3;

  /** Takes a step, sleeps an hour durably, then records how long after the clock's jump it woke. */
  static final Task<Long, Long> SLEEPER = Task.withContext("sleepers.nap", Long.class, Long.class, (n, tc) -> {
    DurableContext ctx = DurableContext.of(tc).orElseThrow();
    ctx.step("before", Long.class, () -> n);
    ctx.sleep(NAP);
    long at = JUMPED_AT.get();
    int i = WOKEN.getAndIncrement();
    if (at != 0 && i < lateness.length) {
      lateness[i] = (System.nanoTime() - at) / 1000;
    }
    return n;
  });

  /** Does nothing: the ordinary queue's job. */
  static final Task<Long, Long> NOOP = Task.of("sleepers.noop", Long.class, Long.class, n -> n);

  private SleepingJobsBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String kind = opts.getOrDefault("store", "sqlite");
    int jobs = Integer.parseInt(opts.getOrDefault("jobs", "1000000"));
    int drain = Integer.parseInt(opts.getOrDefault("drain", "50000"));
    int concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "64"));
    pairs = Integer.parseInt(opts.getOrDefault("pairs", "3"));
    lateness = new long[jobs];
    System.out.printf(Locale.ROOT, "machine: %d cores, %s; store %s; %,d sleepers, drains of %,d, concurrency %d%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), kind, jobs, drain,
        concurrency);
    switch (kind) {
      case "sqlite" -> {
        Path dir = Files.createTempDirectory("spindle-sleepers");
        try (StoreBackend store = SqliteJobStore.builder(dir.resolve("jobs.db")).clock(CLOCK).open();
             StoreBackend control = SqliteJobStore.builder(dir.resolve("control.db")).clock(CLOCK).open()) {
          run(store, control, jobs, drain, concurrency, () -> fileSize(dir.resolve("jobs.db")), () -> {});
        } finally {
          deleteTree(dir);
        }
      }
      case "postgres" -> {
        try (PostgresServer pg = PostgresServer.start();
             StoreBackend store = PostgresJobStore.builder(pg.host(), pg.port(), "postgres", pg.user())
                 .password(pg.password()).schema("sleepers").clock(CLOCK).open();
             StoreBackend control = PostgresJobStore.builder(pg.host(), pg.port(), "postgres", pg.user())
                 .password(pg.password()).schema("control").clock(CLOCK).open()) {
          run(store, control, jobs, drain, concurrency, () -> Long.parseLong(pg.psql("SELECT sum(pg_total_relation_size(c.oid))"
              + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sleepers'"
              + " AND c.relkind IN ('r', 'p')").strip()), () -> {});
        }
      }
      case "redis" -> {
        try (RedisServer redis = RedisServer.builder().appendOnly(false).start();
             StoreBackend store = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "/0?namespace=sleepers",
                 Map.of()), CLOCK);
             StoreBackend control = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "/0?namespace=control",
                 Map.of()), CLOCK)) {
          run(store, control, jobs, drain, concurrency, () -> Long.parseLong(Objects.requireNonNull(
              redis.info("memory", "used_memory"))), () -> RedisKeys.print(redis, jobs));
        }
      }
      default -> throw new IllegalArgumentException("--store: sqlite, postgres or redis, not " + kind);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  private static void run(StoreBackend store, StoreBackend control, int jobs, int drain, int concurrency,
      LongSupplier size, Runnable whileAsleep) throws InterruptedException {
    TaskRegistry reg = TaskRegistry.builder().add(SLEEPER).add(NOOP).build();
    try (JobQueue queue = JobQueue.builder(store).registry(reg).clock(CLOCK).build();
         Worker worker = queue.worker().queues(SLEEPERS, PLAIN).concurrency(concurrency)
             .model(ExecutionModel.VIRTUAL).clock(CLOCK).start();
         JobQueue controlQueue = JobQueue.builder(control).registry(reg).clock(CLOCK).build();
         Worker controlWorker = controlQueue.worker().queues(PLAIN).concurrency(concurrency)
             .model(ExecutionModel.VIRTUAL).clock(CLOCK).start()) {
      long emptySize = size.getAsLong();
      long t0 = System.nanoTime();
      enqueue(queue, SLEEPER, SLEEPERS, jobs);
      double enqueued = seconds(t0);
      while (count(store, SLEEPERS, JobState.SCHEDULED) < jobs) {
        Thread.sleep(500); // polling the store for progress, not synchronisation
      }
      double asleep = seconds(t0);
      long sleepingSize = size.getAsLong();
      System.out.printf(Locale.ROOT, "%,d sleepers enqueued in %.1f s, all asleep after %.1f s (%,.0f jobs/s to"
          + " their sleep)%n", jobs, enqueued, asleep, jobs / asleep);
      System.out.printf(Locale.ROOT, "store size: before the sleepers %,d KiB; with them %,d KiB = %,.0f bytes per"
          + " sleeping job%n", emptySize / 1024, sleepingSize / 1024, (sleepingSize - emptySize) / (double) jobs);
      whileAsleep.run();
      compareDrains(store, queue, control, controlQueue, drain);
      long c0 = store.finishCursor();
      JUMPED_AT.set(System.nanoTime());
      CLOCK.shift(NAP.plusMinutes(1));
      worker.wakeUp();
      while (store.finishCursor() - c0 < jobs) {
        Thread.sleep(100); // polling the store for progress, not synchronisation
      }
      double woke = seconds(JUMPED_AT.get());
      long[] l = Arrays.copyOf(lateness, Math.min(WOKEN.get(), lateness.length));
      Arrays.sort(l);
      System.out.printf(Locale.ROOT, "all due at once: every sleeper finished %.1f s after the jump (%,.0f jobs/s);"
          + " wake-up lateness p50 %.1f s, p99 %.1f s, max %.1f s (%,d samples)%n", woke, jobs / woke,
          pct(l, 50) / 1e6, pct(l, 99) / 1e6, l.length == 0 ? 0 : l[l.length - 1] / 1e6, l.length);
    }
  }

  /**
   * Ordinary drains alternating between the empty store and the store beside the sleepers, after a
   * warm-up of each: each pair's figures and the ratio of the medians.
   */
  private static void compareDrains(StoreBackend store, JobQueue queue, StoreBackend control, JobQueue controlQueue,
      int n) throws InterruptedException {
    drain(control, controlQueue, n);
    drain(store, queue, n);
    double[] empty = new double[pairs];
    double[] beside = new double[pairs];
    for (int i = 0; i < pairs; i++) {
      empty[i] = drain(control, controlQueue, n);
      beside[i] = drain(store, queue, n);
      System.out.printf(Locale.ROOT, "ordinary drain, pair %d: empty store %,9.0f jobs/s, beside sleepers %,9.0f"
          + " jobs/s%n", i + 1, empty[i], beside[i]);
    }
    Arrays.sort(empty);
    Arrays.sort(beside);
    double e = empty[pairs / 2];
    double b = beside[pairs / 2];
    System.out.printf(Locale.ROOT, "ordinary drain, medians: empty store %,9.0f jobs/s, beside sleepers %,9.0f jobs/s"
        + " (%.2fx)%n", e, b, b / e);
  }

  private static double drain(StoreBackend store, JobQueue queue, int n) throws InterruptedException {
    long c0 = store.finishCursor();
    long t0 = System.nanoTime();
    enqueue(queue, NOOP, PLAIN, n);
    while (store.finishCursor() - c0 < n) {
      Thread.sleep(1); // polling the store for progress, not synchronisation
    }
    return n / seconds(t0);
  }

  private static void enqueue(JobQueue queue, Task<Long, Long> task, String name, int n) {
    JobOptions options = JobOptions.builder().queue(name).build();
    for (int from = 0; from < n; from += 10_000) {
      List<Long> batch = new ArrayList<>();
      for (long i = from; i < Math.min(n, from + 10_000); i++) {
        batch.add(i);
      }
      queue.enqueueAll(task, batch, options);
    }
  }

  private static long count(StoreBackend store, String queue, JobState state) {
    return store.inspector().queueSummaries().stream().filter(q -> q.queue().equals(queue))
        .mapToLong(q -> q.count(state)).sum();
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static long pct(long[] sorted, int p) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
  }

  /** A SQLite database's size: its file with its write-ahead log and shared-memory index. */
  private static long fileSize(Path db) {
    long bytes = 0;
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      bytes += db.resolveSibling(db.getFileName() + suffix).toFile().length();
    }
    return bytes;
  }

  /** The system clock plus a shift the bench moves forward. Thread-safe. */
  static final class ShiftedClock extends Clock {
    private final AtomicLong shiftNanos = new AtomicLong();

    void shift(Duration by) {
      shiftNanos.addAndGet(by.toNanos());
    }

    @Override
    public Instant instant() {
      return Instant.now().plusNanos(shiftNanos.get());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("a UTC clock");
    }
  }
}
