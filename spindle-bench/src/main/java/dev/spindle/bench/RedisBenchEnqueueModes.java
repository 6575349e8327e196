package dev.spindle.bench;

import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.store.redis.RedisJobStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

/**
 * The {@link RedisBench} modes that measure enqueuing through {@code JobQueue}, with no worker
 * running: {@code enqueue} (batches and single enqueues, jobs/s) and {@code single} (single
 * enqueues from 1 and many threads with the Redis CPU per job, each round after the round-trip
 * floor of one thread, optionally beside BullMQ's {@code queue.add()}). Run from one thread;
 * {@code single} starts and joins its own enqueuing threads.
 */
final class RedisBenchEnqueueModes {
  private final RedisBenchFixture f;

  RedisBenchEnqueueModes(RedisBenchFixture fixture) {
    this.f = fixture;
  }

  // ---------------------------------------------------------------- enqueue

  void enqueue() throws Exception {
    int n = f.intOpt("jobs", 500_000);
    try (RedisJobStore store = f.open("enqueue-" + System.nanoTime()); JobQueue q = JobQueue.builder(store).build()) {
      warmUp(q, 3000);
      for (int round = 0; round < f.intOpt("rounds", 3); round++) {
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
        int singles = f.intOpt("singles", 20_000);
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

  /** The warm-up, with {@code async} enqueues through 16 {@code enqueueAsync} loops. */
  private static void warmUp(JobQueue q, int async) {
    List<Long> inputs = LongStream.range(0, 1000).boxed().toList();
    for (int i = 0; i < 30; i++) {
      q.enqueueAll(RedisBenchTasks.NOOP, inputs, JobOptions.builder().queue("warmup").build());
    }
    for (int i = 0; i < 3000; i++) {
      q.enqueue(RedisBenchTasks.NOOP, (long) i, JobOptions.builder().queue("warmup").build());
    }
    // and 'async' from 16 loops of enqueueAsync (3,000, as BullMQ's script warms up with 3,000 add()s)
    AtomicLong seq = new AtomicLong();
    CompletableFuture<?>[] loops = new CompletableFuture<?>[16];
    for (int l = 0; l < loops.length; l++) {
      loops[l] = asyncLoop(q, async / loops.length, seq);
    }
    CompletableFuture.allOf(loops).join();
  }

  // ---------------------------------------------------------------- single enqueue

  /**
   * Single enqueues ({@code JobQueue.enqueue}, one job per call) from one thread and from
   * {@code --threads} threads sharing one queue, with the Redis CPU per job (and its system part,
   * and Redis's reads of client data per job) and this JVM's user and system CPU per job, then as
   * {@code --threads} loops of {@code JobQueue.enqueueAsync} in one thread; with {@code --bullmq
   * yes}, BullMQ's {@code queue.add()} measured the same way right after, against the same server
   * (spindle-bench/peers/bullmq, installed with npm on first use). {@code --virtual yes} runs the
   * enqueuing threads as virtual threads.
   */
  void single() throws Exception {
    int n = f.intOpt("jobs", 20_000);
    int threads = f.intOpt("threads", 16);
    // --virtual yes: the enqueuing threads are virtual threads (a web application on them)
    boolean virtual = "yes".equals(f.opt("virtual", ""));
    // --only async: only the enqueueAsync loops (and BullMQ's with --bullmq yes), e.g. to profile them
    boolean asyncOnly = "async".equals(f.opt("only", ""));
    try (RedisJobStore store = f.open("single-" + System.nanoTime()); JobQueue q = JobQueue.builder(store).build()) {
      // --only async skips the one-thread rounds; BullMQ's script runs its one-loop round (--jobs
      // add()s) before its concurrent one in the same process, so the loops get as many first
      warmUp(q, asyncOnly ? 3000 + n : 3000);
      for (int round = 0; round < f.intOpt("rounds", 3); round++) {
        if (!asyncOnly) {
          roundTripFloor(n, threads);
        }
        for (int t : asyncOnly ? new int[0] : new int[] {1, threads}) {
          int per = n / t;
          AtomicLong seq = new AtomicLong();
          double cpu0 = f.redisCpu();
          double sys0 = f.redisSystemCpu();
          long reads0 = f.redisReads();
          long[] jvm0 = ProcessCpu.userAndSystemNanos();
          Map<String, long[]> stats0 = f.redisCommandStats();
          long t0 = System.nanoTime();
          inThreads(t, virtual, k -> {
            for (int i = 0; i < per; i++) {
              q.enqueue(RedisBenchTasks.NOOP, seq.incrementAndGet());
            }
          });
          double s = (System.nanoTime() - t0) / 1e9;
          System.out.printf(Locale.ROOT, "spindle single enqueue %,d jobs, %d %sthread%s: %.2f s = %,.0f jobs/s, redis cpu "
              + "%.1f us/job (load %.1f%s)%n", per * t, t, virtual ? "virtual " : "", t == 1 ? "" : "s", s, per * t / s,
              (f.redisCpu() - cpu0) * 1e6 / (per * t), RedisBenchFixture.loadAverage(), f.aofRewrites());
          long[] jvm1 = ProcessCpu.userAndSystemNanos();
          System.out.printf(Locale.ROOT, "  this JVM's CPU per job: user %.1f us, system %.1f us; redis system CPU %.1f us "
              + "and %.2f reads per job%n", (jvm1[0] - jvm0[0]) / 1e3 / (per * t), (jvm1[1] - jvm0[1]) / 1e3 / (per * t),
              (f.redisSystemCpu() - sys0) * 1e6 / (per * t), (f.redisReads() - reads0) / (double) (per * t));
          System.out.println("  redis time per job by command (INFO commandstats): "
              + RedisBenchFixture.perJobBreakdown(stats0, f.redisCommandStats(), (long) per * t));
        }
        asyncLoops(q, n, threads);
        if (f.bullmq()) {
          f.runBullmq("enqueue.mjs", Integer.toString(n), Integer.toString(threads));
        }
      }
    }
  }

  /**
   * {@code n} single enqueues as {@code loops} loops that each wait for their previous enqueue's
   * future ({@code JobQueue.enqueueAsync}), all started from this thread: what BullMQ's concurrent
   * {@code queue.add()} loops do in its one thread. Prints the rate and the Redis and JVM CPU per job.
   */
  private void asyncLoops(JobQueue q, int n, int loops) throws IOException {
    int per = n / loops;
    long jobs = (long) per * loops;
    AtomicLong seq = new AtomicLong();
    double cpu0 = f.redisCpu();
    long[] jvm0 = ProcessCpu.userAndSystemNanos();
    Map<String, long[]> stats0 = f.redisCommandStats();
    long t0 = System.nanoTime();
    CompletableFuture<?>[] running = new CompletableFuture<?>[loops];
    for (int l = 0; l < loops; l++) {
      running[l] = asyncLoop(q, per, seq);
    }
    CompletableFuture.allOf(running).join();
    double s = (System.nanoTime() - t0) / 1e9;
    long[] jvm1 = ProcessCpu.userAndSystemNanos();
    System.out.printf(Locale.ROOT, "spindle enqueueAsync %,d jobs, %d loops in one thread: %.2f s = %,.0f jobs/s, redis cpu "
        + "%.1f us/job; this JVM's CPU per job: user %.1f us, system %.1f us%n", jobs, loops, s, jobs / s,
        (f.redisCpu() - cpu0) * 1e6 / jobs, (jvm1[0] - jvm0[0]) / 1e3 / jobs, (jvm1[1] - jvm0[1]) / 1e3 / jobs);
    System.out.println("  redis time per job by command (INFO commandstats): "
        + RedisBenchFixture.perJobBreakdown(stats0, f.redisCommandStats(), jobs));
  }

  /** {@code n} enqueues in a row, each sent when the previous one's future completed. */
  private static CompletableFuture<Void> asyncLoop(JobQueue q, int n, AtomicLong seq) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    new Object() {
      int left = n;

      void next() {
        if (left-- == 0) {
          done.complete(null);
          return;
        }
        q.enqueueAsync(RedisBenchTasks.NOOP, seq.incrementAndGet()).whenComplete((h, e) -> {
          if (e != null) {
            done.completeExceptionally(e);
          } else {
            next();
          }
        });
      }
    }.next();
    return done;
  }

  /**
   * The round-trip floor of one thread on this server, with the client Spindle uses (Lettuce,
   * synchronous): {@code n} PINGs, then {@code n} one-key SETs (a write: appended to the AOF like an
   * enqueue). No enqueue from one thread waiting for each reply can beat these rates. Then the same
   * SETs from {@code threads} threads sharing the connection, with this JVM's CPU per SET: what
   * threads that each wait for their own write cost the client.
   */
  private void roundTripFloor(int n, int threads) throws IOException, InterruptedException {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(f.url());
    try (io.lettuce.core.api.StatefulRedisConnection<String, String> c = client.connect()) {
      io.lettuce.core.api.sync.RedisCommands<String, String> r = c.sync();
      for (int i = 0; i < 5_000; i++) {
        r.ping();
        r.set("spindle-bench-floor", Integer.toString(i));
      }
      double cpu0 = f.redisCpu();
      Map<String, long[]> stats0 = f.redisCommandStats();
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        r.ping();
      }
      double ping = (System.nanoTime() - t0) / 1e9;
      double cpu1 = f.redisCpu();
      t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        r.set("spindle-bench-floor", Integer.toString(i));
      }
      double set = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "round-trip floor, 1 thread (Lettuce sync): PING %,.0f/s (%.1f us, redis cpu %.1f us),"
          + " SET %,.0f/s (%.1f us, redis cpu %.1f us)%s%n", n / ping, ping * 1e6 / n, (cpu1 - cpu0) * 1e6 / n, n / set,
          set * 1e6 / n, (f.redisCpu() - cpu1) * 1e6 / n, f.aofRewrites());
      System.out.println("  redis time per PING + SET by command: "
          + RedisBenchFixture.perJobBreakdown(stats0, f.redisCommandStats(), n));
      r.del("spindle-bench-floor");
      concurrentSets(r, n, threads);
    } finally {
      client.shutdown();
    }
    nativeRoundTripFloor(n);
  }

  /** {@code n} SETs from {@code threads} threads sharing {@code r}'s connection, each waiting for its reply. */
  private void concurrentSets(io.lettuce.core.api.sync.RedisCommands<String, String> r, int n, int threads)
      throws InterruptedException {
    int per = n / threads;
    double cpu0 = f.redisCpu();
    long[] jvm0 = ProcessCpu.userAndSystemNanos();
    long t0 = System.nanoTime();
    inThreads(threads, false, k -> {
      for (int i = 0; i < per; i++) {
        r.set("spindle-bench-floor-" + k, Integer.toString(i));
      }
    });
    double s = (System.nanoTime() - t0) / 1e9;
    long[] jvm1 = ProcessCpu.userAndSystemNanos();
    long sets = (long) per * threads;
    System.out.printf(Locale.ROOT, "round-trip floor, %d threads on one connection (Lettuce sync SET): %,.0f/s, redis "
        + "cpu %.1f us, this JVM's cpu %.1f us (user %.1f, system %.1f) per SET%n", threads, sets / s,
        (f.redisCpu() - cpu0) * 1e6 / sets, (jvm1[0] - jvm0[0] + jvm1[1] - jvm0[1]) / 1e3 / sets,
        (jvm1[0] - jvm0[0]) / 1e3 / sets, (jvm1[1] - jvm0[1]) / 1e3 / sets);
    for (int k = 0; k < threads; k++) {
      r.del("spindle-bench-floor-" + k);
    }
  }

  /**
   * The same floor from Redis's own C client ({@code redis-benchmark -c 1}: one connection, one
   * request at a time, no thread hand-off in the client): what any client on this machine gets at
   * best. Skipped, saying so, when the server needs credentials or TLS (they would have to go on
   * its command line) or the tool is missing.
   */
  private void nativeRoundTripFloor(int n) throws IOException, InterruptedException {
    io.lettuce.core.RedisURI uri = io.lettuce.core.RedisURI.create(f.url());
    if (java.net.URI.create(f.url()).getRawUserInfo() != null || uri.isSsl()) {
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
      String[] fields = row.replace("\"", "").split(",");
      if (fields.length > 1 && !fields[0].equals("test")) {
        double rps = Double.parseDouble(fields[1]);
        line.append(String.format(Locale.ROOT, " %s %,.0f/s (%.1f us)", fields[0].startsWith("PING") ? "PING" : fields[0],
            rps, 1e6 / rps));
      }
    }
    System.out.println(line);
  }

  /** Runs {@code body} on {@code threads} new threads (virtual ones if asked), given each its number, and joins them. */
  private static void inThreads(int threads, boolean virtual, java.util.function.IntConsumer body)
      throws InterruptedException {
    List<Thread> ts = new ArrayList<>();
    for (int k = 0; k < threads; k++) {
      int number = k;
      ts.add((virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> body.accept(number)));
    }
    for (Thread t : ts) {
      t.join();
    }
  }
}
