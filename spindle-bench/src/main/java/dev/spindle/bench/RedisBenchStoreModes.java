package dev.spindle.bench;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.redis.RedisJobStore;
import dev.spindle.store.redis.RedisStoreConfig;
import dev.spindle.testkit.redis.RedisServer;
import dev.spindle.testkit.redis.RespClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link RedisBench} modes that call the Redis store directly, with no queue and no task
 * execution: {@code store} (batch enqueue, and claim+complete exchanges, jobs/s and Redis time per
 * job), {@code costs} (the Redis CPU of each kind of call a capacity plan needs) and {@code memory}
 * (the Redis memory a queued and a kept job take, by key kind). Run from one
 * thread; {@code store} starts and joins its own exchange threads.
 */
final class RedisBenchStoreModes {
  /** A no-op job's header as the floor script stores it. */
  private static final String FLOOR_HEADER = "rbench.noop|default|0|1764400000.000000000|def96d8d7cb23300|\n0";

  private final RedisBenchFixture f;

  RedisBenchStoreModes(RedisBenchFixture fixture) {
    this.f = fixture;
  }

  // ---------------------------------------------------------------- memory

  /**
   * The Redis memory of {@code --jobs} queued jobs (default 200,000, enqueued in batches of 1,000
   * into a fresh namespace): the server's {@code used_memory} growth per job, then the keys by kind;
   * then the same once every job was claimed and completed (kept for its policy's result time).
   */
  void memory() {
    RedisServer server = Objects.requireNonNull(f.server(), "memory needs a redis-server started here");
    int n = f.intOpt("jobs", 200_000);
    try (RedisJobStore store = f.open("memory-" + System.nanoTime())) {
      Instant now = Instant.now();
      store.enqueue(List.of(new NewJob("t", "{\"n\":0}", "default", 0, now, null, JobPolicy.defaults(), now)));
      long before = Long.parseLong(server.info("memory", "used_memory"));
      for (int from = 1; from < n; from += 1_000) {
        List<NewJob> batch = new ArrayList<>();
        for (int i = from; i < Math.min(n, from + 1_000); i++) {
          batch.add(new NewJob("t", "{\"n\":" + i + "}", "default", 0, now, null, JobPolicy.defaults(), now));
        }
        store.enqueue(batch);
      }
      long grown = Long.parseLong(server.info("memory", "used_memory")) - before;
      System.out.printf(Locale.ROOT, "memory: %,d queued jobs (arguments {\"n\":i}): used_memory +%,d bytes = %.0f bytes a job%n",
          n - 1, grown, grown / (double) (n - 1));
      RedisKeys.print(server, n);
      store.heartbeat(new WorkerRecord("mem-w", "mem-w", "h", 1, List.of("default"), 1000, "THREADS", "RUNNING", now,
          now, now.plusSeconds(600), 0, 0, 0, 0));
      long finished = exchangeUntilEmpty(store, "mem-w", 1000);
      long kept = Long.parseLong(server.info("memory", "used_memory")) - before;
      System.out.printf(Locale.ROOT, "memory: %,d jobs claimed and completed, kept: used_memory +%,d bytes over the"
          + " empty namespace = %.0f bytes a job%n", finished, kept, kept / (double) finished);
      RedisKeys.print(server, n);
    }
  }

  // ---------------------------------------------------------------- store only

  void storeOnly() throws Exception {
    int n = f.intOpt("jobs", 200_000);
    int batch = f.intOpt("batch", 64);
    int threads = f.intOpt("threads", 2);
    List<String> modes = switch (f.opt("scripting", "function")) {
      case "both" -> List.of("eval", "function");
      case "eval" -> List.of("eval");
      default -> List.of("function");
    };
    for (int round = 0; round < f.intOpt("rounds", 3); round++) {
      for (String mode : modes) {
        System.setProperty(RedisStoreConfig.SCRIPTING_PROPERTY, mode);
        try (RedisJobStore store = f.open("store-" + System.nanoTime())) {
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
    Instant now = Instant.now();
    List<NewJob> jobs = noopJobs(1000, now);
    double cpu0 = f.redisCpu();
    Map<String, long[]> stats0 = f.redisCommandStats();
    long t0 = System.nanoTime();
    for (int done = 0; done < n; done += 1000) {
      store.enqueue(jobs);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "store enqueue  %,d jobs in batches of 1,000 (1 thread): %,.0f jobs/s; redis CPU "
        + "%.2f us/job%n", n, n / s, (f.redisCpu() - cpu0) * 1e6 / n);
    Map<String, long[]> stats1 = f.redisCommandStats();
    System.out.println("  redis time per job by command: " + RedisBenchFixture.perJobBreakdown(stats0, stats1, n));
    double cpu1 = f.redisCpu();
    AtomicLong done = new AtomicLong();
    List<Thread> ts = new ArrayList<>();
    long t1 = System.nanoTime();
    double jvm1 = RedisBenchFixture.cpuSeconds(ProcessHandle.current().info());
    for (int t = 0; t < threads; t++) {
      String w = "probe-" + t;
      store.heartbeat(new WorkerRecord(w, w, "h", 1, List.of("default"), batch, "THREADS", "RUNNING", now, now,
          now.plusSeconds(600), 0, 0, 0, 0));
      ts.add(Thread.ofPlatform().start(() -> done.addAndGet(exchangeUntilEmpty(store, w, batch))));
    }
    for (Thread t : ts) {
      t.join();
    }
    double s2 = (System.nanoTime() - t1) / 1e9;
    double jvm2 = RedisBenchFixture.cpuSeconds(ProcessHandle.current().info());
    Map<String, long[]> stats2 = f.redisCommandStats();
    System.out.printf(Locale.ROOT, "store exchange %,d jobs claimed+completed, %d threads x batches of %d: %,.0f jobs/s;"
        + " redis CPU %.2f us/job, this JVM %.2f us/job%n", done.get(), threads, batch, done.get() / s2,
        (f.redisCpu() - cpu1) * 1e6 / done.get(), (jvm2 - jvm1) * 1e6 / done.get());
    System.out.println("  redis time per job by command: " + RedisBenchFixture.perJobBreakdown(stats1, stats2, done.get()));
  }

  // ---------------------------------------------------------------- costs

  /**
   * The Redis CPU of each kind of call that a fleet of workers makes, for the capacity model in
   * docs/REDIS-SCALE.md: server CPU per call from INFO cpu (execution, networking and all), and
   * the execution alone from INFO commandstats; for the batches, beside them, what the layout's
   * commands alone cost ({@link #commandFloor}).
   */
  void costs() throws Exception {
    int n = f.intOpt("calls", 5_000);
    try (RedisJobStore store = f.open("costs-" + System.nanoTime())) {
      Instant now = Instant.now();
      WorkerRecord w = new WorkerRecord("cost-w", "cost-w", "h", 1, List.of("default"), 64, "THREADS", "RUNNING", now,
          now, now.plusSeconds(600), 0, 0, 0, 0);
      store.heartbeat(w);
      cost("heartbeat (one worker, no jobs held)", n, () -> store.heartbeat(w));
      cost("empty claim (nothing queued)", n, () -> store.completeAndClaim(List.of(),
          new ClaimRequest("cost-w", List.of("default"), 64, Instant.now()), Instant.now()));
      for (int size : new int[] {1, 4, 16, 64}) {
        List<NewJob> call = noopJobs(size, now);
        int calls = Math.max(100, n * 4 / size);
        cost("enqueue, calls of " + size + " (one at a time)", calls, () -> store.enqueue(call));
      }
      loneFloor(n);
      List<NewJob> jobs = noopJobs(64, now);
      int rounds = n / 10;
      double cpu0 = f.redisCpu();
      for (int r = 0; r < rounds; r++) {
        store.enqueue(jobs);
      }
      double enq = (f.redisCpu() - cpu0) * 1e6 / (rounds * 64.0);
      cpu0 = f.redisCpu();
      long done = exchangeUntilEmpty(store, "cost-w", 64);
      double exch = (f.redisCpu() - cpu0) * 1e6 / done;
      System.out.printf(Locale.ROOT, "%-44s %7.1f us of Redis CPU per job%n", "enqueue, batches of 64", enq);
      System.out.printf(Locale.ROOT, "%-44s %7.1f us of Redis CPU per job%n", "claim+complete, batches of 64", exch);
      double[] floor = commandFloor(rounds);
      System.out.printf(Locale.ROOT, "%-44s %7.1f us of Redis CPU per job%n", "the layout's commands alone: enqueue", floor[0]);
      System.out.printf(Locale.ROOT, "%-44s %7.1f us of Redis CPU per job%n", "the layout's commands alone: claim+complete",
          floor[1]);
    }
    for (int subscribers : new int[] {0, 100, 1000}) {
      List<RespClient> subs = new ArrayList<>();
      try {
        for (int i = 0; i < subscribers; i++) {
          RespClient c = resp(Duration.ofSeconds(10));
          c.command("SUBSCRIBE", "{costs}:ev");
          subs.add(c);
        }
        try (RespClient pub = resp(Duration.ofSeconds(10))) {
          cost("PUBLISH to " + subscribers + " subscribers", n, () -> pub.command("PUBLISH", "{costs}:ev", "1"));
        }
      } finally {
        for (RespClient c : subs) {
          c.close();
        }
      }
    }
  }

  /**
   * What any call costs Redis ({@code PING}), and what a lone enqueue's commands alone cost it (the
   * floor script's enqueue of one job), {@code n} calls each: the least a lone enqueue can cost.
   */
  private void loneFloor(int n) throws IOException {
    try (RespClient c = resp(Duration.ofSeconds(30))) {
      cost("PING (a call that does nothing)", n, () -> c.command("PING"));
      String sha = String.valueOf(c.command("SCRIPT", "LOAD", floorScript()));
      String prefix = "{costs-lone-" + System.nanoTime() + "}:";
      AtomicLong rid = new AtomicLong();
      cost("the layout's commands alone: lone enqueue", n,
          () -> c.command("EVALSHA", sha, "1", prefix, "enqueue", "1", FLOOR_HEADER, "r" + rid.incrementAndGet()));
      c.command("EVALSHA", sha, "1", prefix, "clean", "1", Integer.toString(n));
    }
  }

  /** Runs {@code call} {@code n} times and prints the Redis CPU per call. */
  private void cost(String what, int n, Runnable call) {
    double cpu0 = f.redisCpu();
    Map<String, long[]> stats0 = f.redisCommandStats();
    for (int i = 0; i < n; i++) {
      call.run();
    }
    System.out.printf(Locale.ROOT, "%-44s %7.1f us of Redis CPU per call%n", what, (f.redisCpu() - cpu0) * 1e6 / n);
    System.out.println("  executing, per call: " + RedisBenchFixture.perJobBreakdown(stats0, f.redisCommandStats(), n));
  }

  /**
   * What the layout's commands alone cost Redis for the batches that {@link #costs} measures the
   * store's scripts with: {@code rounds} enqueues of 64 no-op jobs, then exchanges of 64 until none
   * is left, through redis-command-floor.lua (the same commands, without the scripts' checks,
   * fencing, statistics and the exchanges' kept replies), under a key prefix of its own that it
   * deletes after (the enqueues' kept replies expire).
   * Returns the Redis CPU per job, microseconds: {enqueue, claim and complete}.
   */
  private double[] commandFloor(int rounds) throws IOException {
    try (RespClient c = resp(Duration.ofSeconds(30))) {
      String sha = String.valueOf(c.command("SCRIPT", "LOAD", floorScript()));
      String prefix = "{costs-floor-" + System.nanoTime() + "}:";
      double cpu0 = f.redisCpu();
      for (int r = 0; r < rounds; r++) {
        c.command("EVALSHA", sha, "1", prefix, "enqueue", "64", FLOOR_HEADER, "r" + r);
      }
      double enqueue = (f.redisCpu() - cpu0) * 1e6 / (rounds * 64.0);
      cpu0 = f.redisCpu();
      List<String> held = List.of();
      long done = 0;
      do {
        List<String> call = new ArrayList<>(List.of("EVALSHA", sha, "1", prefix, "exchange", "64"));
        call.addAll(held);
        List<?> claimed = (List<?>) Objects.requireNonNull(c.command(call.toArray(String[]::new)));
        done += held.size();
        held = new ArrayList<>();
        for (int i = 0; i < claimed.size(); i += 2) {
          held.add(String.valueOf(claimed.get(i)));
        }
      } while (!held.isEmpty());
      double exchange = (f.redisCpu() - cpu0) * 1e6 / done;
      c.command("EVALSHA", sha, "1", prefix, "clean", "1", Long.toString(rounds * 64L));
      return new double[] {enqueue, exchange};
    }
  }

  /** The text of redis-command-floor.lua. */
  private static String floorScript() throws IOException {
    try (InputStream in = Objects.requireNonNull(RedisBenchStoreModes.class.getResourceAsStream("redis-command-floor.lua"),
        "redis-command-floor.lua on the class path")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  // ---------------------------------------------------------------- shared

  /** A plain RESP connection to the bench's server (its host and port; no credentials, no TLS). */
  private RespClient resp(Duration timeout) {
    java.net.URI u = java.net.URI.create(f.url());
    return new RespClient(u.getHost(), u.getPort(), timeout);
  }

  /** {@code count} no-op jobs on queue "default", their input their index. */
  private static List<NewJob> noopJobs(int count, Instant now) {
    List<NewJob> jobs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      jobs.add(new NewJob("rbench.noop", Integer.toString(i), "default", 0, now, null, JobPolicy.defaults(), now));
    }
    return jobs;
  }

  /**
   * As worker {@code worker}, claims up to {@code batch} jobs of queue "default" and completes them
   * in the next exchange, until a claim comes back empty; returns how many it completed.
   */
  private static long exchangeUntilEmpty(RedisJobStore store, String worker, int batch) {
    List<Completion> pending = new ArrayList<>();
    long done = 0;
    while (true) {
      Instant at = Instant.now();
      Exchange ex = store.completeAndClaim(pending, new ClaimRequest(worker, List.of("default"), batch, at), at);
      done += pending.size();
      pending = new ArrayList<>();
      for (JobInfo j : ex.claim().jobs()) {
        pending.add(Completion.succeeded(j.id(), j.fence(), worker, j.argsJson()));
      }
      if (pending.isEmpty()) {
        return done;
      }
    }
  }
}
