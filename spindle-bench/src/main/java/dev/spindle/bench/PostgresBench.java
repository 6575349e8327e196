package dev.spindle.bench;

import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.JvmLauncher;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.postgres.PostgresServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;

/**
 * End-to-end benchmarks of the PostgreSQL store on a local server that it starts itself (the
 * testkit's {@link PostgresServer}: Debian's binaries, {@code fsync=off}, {@code synchronous_commit=off}),
 * with workers in separate JVMs ({@link PostgresBenchWorker}).
 *
 * <pre>
 * java -cp ... dev.spindle.bench.PostgresBench MODE [--jobs N] [--workers 2] [--concurrency 64]
 *     [--prefetch 0] [--samples 1000] [--store-options "&amp;archiveAfter=1m"]
 *
 * --store-options is appended to Spindle's store location (e.g. the archive delay before 2026-11-25's
 * default of 0, for an A/B of successes moving in their completing statement).
 *
 * MODE  drain      bulk enqueue of N no-op jobs (one call), then idle worker processes drain them, jobs/s
 *       latency    enqueue-to-start latency on idle workers with NOTIFY on, then off: p50/p99/max
 *       fault      N jobs (default 20,000) of --job-ms while one worker process is killed with kill -9
 *                  every --kill-every-ms (default 2000) and replaced, until all are done; counts lost
 *                  jobs and duplicate executions (logged by the task with O_APPEND)
 *       versus     side by side, same server, same worker processes and slots: Spindle's drain of N
 *                  no-op jobs, then db-scheduler 16.12.0's ({@link DbSchedulerBenchWorker}: one-time
 *                  tasks, lock-and-fetch polling every --poll-ms), --rounds times; jobs/s and the ratio,
 *                  and the CPU per job of PostgreSQL, the worker processes and this JVM. Each drain
 *                  follows warm-up drains of --warmup jobs (default 5,000; drains of --jobs) on the same fresh worker
 *                  processes (their JIT compiles most of the code then; --warmup 400000 for steady
 *                  state); PostgreSQL's CPU counts ended processes (autovacuum) and is followed by that
 *                  of a VACUUM of the drain's dead rows. --model THREADS|VIRTUAL,
 *                  --threads yes (Spindle's workers' CPU per job and thread during the drain),
 *                  --db-scheduler no (Spindle's drain alone), --worker-jvm "OPTIONS" (e.g. a
 *                  flight recording), --notify off, --keep-successes no (Spindle's jobs with resultTtl 0:
 *                  deleted as they succeed, as db-scheduler's; Spindle's drain then ends when its minute statistics count them)
 *       soak       --jobs N (default 2,000,000) no-op jobs enqueued first, then worker processes drain them
 *                  for --minutes (default 10) while batches of 50,000 are added whenever fewer than N
 *                  wait, from the first second, so that every minute carries the same enqueue load
 *                  (--top-up half: only below N / 2, so the first minute ran with almost none, the
 *                  method before 2026-11-25; no: none): jobs finished per minute, the last full
 *                  minute's rate against the first, the jobs table's and history's sizes with their
 *                  indexes and the hot table's dead rows each minute, the load average; --statements
 *                  yes: the statements that took PostgreSQL's time (pg_stat_statements) at the end;
 *                  --naptime 10s: the server's autovacuum_naptime (default 1min), any mode;
 *                  --warmup-minutes W: W minutes drained the same way first and not counted (the workers'
 *                  JIT, the first vacuum of the freshly loaded table); --paced yes: none loaded first, the
 *                  N jobs arrive at an even rate over the minutes (N / 600 jobs/s for 10), and each minute
 *                  also prints the backlog and the enqueue-to-finish latency (p50, p99)
 *       all        drain, latency
 * </pre>
 */
public final class PostgresBench {
  private final Map<String, String> opts;
  private final PostgresServer server;
  private final Path dir;
  private final Path passwordFile;
  private final List<Process> processes = new ArrayList<>();
  private int workerSeq;
  private int schemaSeq;

  private PostgresBench(Map<String, String> opts) throws IOException {
    this.opts = opts;
    this.server = PostgresServer.start();
    if ("yes".equals(opts.get("statements"))) {
      // pg_stat_statements must be preloaded: set, restart, then the view exists
      server.psql("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
      server.restart();
      server.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    }
    String naptime = opts.get("naptime");
    if (naptime != null) {
      // how often the autovacuum launcher looks at a database (1 min by default: a fresh server's
      // first vacuum of the hot table comes a minute in); a reload applies it
      if (!naptime.matches("\\d+(s|min)")) {
        throw new IllegalArgumentException("--naptime: seconds or minutes such as 10s or 1min, not " + naptime);
      }
      server.psql("ALTER SYSTEM SET autovacuum_naptime = '" + naptime + "'");
      server.psql("SELECT pg_reload_conf()");
    }
    this.dir = Files.createTempDirectory("spindle-pgbench");
    this.passwordFile = dir.resolve("pw");
    Files.writeString(passwordFile, server.password() + "\n");
    Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: PostgresBench drain|latency|all [--option value ...]");
      System.exit(2);
    }
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    PostgresBench b = new PostgresBench(o);
    Runtime.getRuntime().addShutdownHook(new Thread(b::killAll));
    System.out.printf(Locale.ROOT, "machine: %d cores, %s; PostgreSQL on 127.0.0.1:%d (fsync off)%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), b.server.port());
    try {
      switch (args[0]) {
        case "drain" -> b.drain();
        case "latency" -> b.latency();
        case "fault" -> b.fault();
        case "versus" -> b.versus();
        case "soak" -> b.soak();
        case "all" -> {
          b.drain();
          b.latency();
        }
        default -> throw new IllegalArgumentException("unknown mode " + args[0]);
      }
    } finally {
      b.killAll();
      b.server.close();
      b.deleteDir(); // the password file and the workers' logs
    }
  }

  private void deleteDir() {
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }

  private String location(String schema, boolean notify) {
    return server.location() + "&schema=" + schema + "&passwordFile=" + passwordFile + "&notify="
        + (notify ? "on" : "off") + opts.getOrDefault("store-options", "");
  }

  private int intOpt(String k, int d) {
    return Integer.parseInt(opts.getOrDefault(k, Integer.toString(d)));
  }

  private void drain() throws Exception {
    int n = intOpt("jobs", 200_000);
    int workers = intOpt("workers", 2);
    String loc = location("drain_" + (schemaSeq++), true);
    try (StoreBackend store = JobStores.open(loc); JobQueue q = JobQueue.builder(store).build()) {
      for (int i = 0; i < workers; i++) {
        startWorker(loc);
      }
      for (int round = 0; round < 2; round++) {
        long c0 = store.finishCursor();
        int count = round == 0 ? Math.min(n, 50_000) : n;
        List<Long> inputs = LongStream.range(0, count).boxed().toList();
        long t0 = System.nanoTime();
        q.enqueueAll(QueueBenchTasks.NOOP, inputs, JobOptions.defaults());
        long committed = System.nanoTime();
        while (store.finishCursor() - c0 < count) {
          Thread.sleep(10); // each read of the cursor also reads pg_locks (the finished feed's horizon)
        }
        long t1 = System.nanoTime();
        double drain = (t1 - committed) / 1e9;
        double enq = (committed - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%s %,d no-op jobs, %d worker processes x %s slots: bulk enqueue %.2f s"
                + " = %,.0f jobs/s; drained in %.2f s = %,.0f jobs/s%n", round == 0 ? "warm-up" : "drain  ", count,
            workers, opts.getOrDefault("concurrency", "64"), enq, count / enq, drain, count / drain);
      }
      long ok = store.inspector().queueSummaries().stream().mapToLong(s -> s.count(JobState.SUCCEEDED)).sum();
      System.out.printf(Locale.ROOT, "check: %,d jobs SUCCEEDED in the store%n", ok);
    } finally {
      killAll();
    }
  }

  private void latency() throws Exception {
    for (boolean notify : new boolean[] {true, false}) {
      int samples = intOpt("samples", 1000);
      int workers = intOpt("workers", 2);
      String loc = location("latency_" + (schemaSeq++), notify);
      try (StoreBackend store = JobStores.open(loc); JobQueue q = JobQueue.builder(store).build()) {
        for (int i = 0; i < workers; i++) {
          startWorker(loc);
        }
        List<Long> lat = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
          int count = round == 0 ? Math.min(samples, 200) : samples;
          List<long[]> sent = new ArrayList<>();
          List<JobHandle<Long>> hs = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            Thread.sleep(ThreadLocalRandom.current().nextInt(5, 16)); // pacing: workers are idle at each enqueue
            long t = QueueBenchTasks.micros(Instant.now());
            hs.add(q.enqueue(QueueBenchTasks.STAMP, t));
            sent.add(new long[] {t});
          }
          lat.clear();
          for (int i = 0; i < hs.size(); i++) {
            lat.add(hs.get(i).result(Duration.ofMinutes(1)) - sent.get(i)[0]);
          }
        }
        Collections.sort(lat);
        System.out.printf(Locale.ROOT, "latency NOTIFY %s: %d samples, enqueue-to-start p50 %.2f ms, p99 %.2f ms,"
                + " max %.2f ms%n", notify ? "on " : "off", lat.size(), lat.get(lat.size() / 2) / 1e3,
            lat.get((int) (lat.size() * 0.99)) / 1e3, lat.get(lat.size() - 1) / 1e3);
      } finally {
        killAll();
      }
    }
  }

  /**
   * N jobs of --job-ms each while one worker process is killed with SIGKILL every --kill-every-ms
   * (and replaced) until every job finished. Executions are logged by the task, so duplicates are
   * counted exactly.
   */
  private void fault() throws Exception {
    int n = intOpt("jobs", 20_000);
    int workers = intOpt("workers", 2);
    long killEvery = intOpt("kill-every-ms", 2000);
    long jobMs = intOpt("job-ms", 20);
    Path log = dir.resolve("fault-executions.log");
    Files.deleteIfExists(log);
    List<String> extra = List.of("--lease-ms", opts.getOrDefault("lease-ms", "2000"), "--heartbeat-ms",
        opts.getOrDefault("heartbeat-ms", "250"), "--concurrency", opts.getOrDefault("concurrency", "16"));
    List<String> jvm = List.of("-Drbench.log=" + log);
    String loc = location("fault_" + (schemaSeq++), true) + "&archiveAfter=off";
    try (StoreBackend store = JobStores.open(loc); JobQueue q = JobQueue.builder(store).build()) {
      List<Process> live = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        live.add(startWorker(loc, extra, jvm));
      }
      long c0 = store.finishCursor();
      // many strikes are expected: a job is dead-lettered only after 1000 lost workers
      JobOptions o = JobOptions.builder().maxWorkerLost(1000).build();
      long t0 = System.nanoTime();
      List<String> ids = new ArrayList<>(n);
      q.enqueueAll(RedisBenchTasks.LOGGED, LongStream.range(0, n).map(x -> jobMs).boxed().toList(), o)
          .forEach(h -> ids.add(h.id()));
      int kills = 0;
      KillSchedule schedule = new KillSchedule(killEvery);
      while (store.finishCursor() - c0 < n) {
        if (schedule.due()) {
          Process victim = live.remove(ThreadLocalRandom.current().nextInt(live.size()));
          victim.destroyForcibly(); // SIGKILL
          victim.waitFor();
          processes.remove(victim);
          kills++;
          live.add(startWorker(loc, extra, jvm));
        }
        Thread.sleep(20);
      }
      // the feed counts finish numbers that killed workers took and never committed: wait (no more kills)
      // until every job ended, at most a minute
      FaultTally tally = FaultTally.settled(store.inspector(), n, Duration.ofMinutes(1));
      double s = (System.nanoTime() - t0) / 1e9;
      List<String> lines = Files.readAllLines(log);
      System.out.printf(Locale.ROOT, "fault: %,d jobs of %d ms, %d worker processes x %s slots, kill -9 of one worker"
              + " every %d ms on average until all were done (%d kills, each replaced), lease %s ms, heartbeat %s ms: %.1f s%n",
          n, jobMs, workers, extra.get(5), killEvery, kills, extra.get(1), extra.get(3), s);
      tally.print(n, ids, lines);
    } finally {
      killAll();
    }
  }

  /**
   * N no-op jobs enqueued first (in calls of 50,000), then drained by the worker processes for
   * --minutes: a line per minute (jobs finished, sizes, dead rows, load), then the last full
   * minute's rate against the first (no bloat decay: within 10 %).
   */
  private void soak() throws Exception {
    int n = intOpt("jobs", 2_000_000);
    int minutes = intOpt("minutes", 10);
    // minutes drained first and not counted: the workers' JIT, the hot table's first vacuum
    int warmup = intOpt("warmup-minutes", 0);
    if ("yes".equals(opts.get("paced"))) {
      pacedSoak(n, minutes, warmup);
      return;
    }
    String schema = "soak_" + (schemaSeq++);
    String loc = location(schema, true);
    try (StoreBackend store = JobStores.open(loc); JobQueue q = JobQueue.builder(store).build()) {
      long t0 = System.nanoTime();
      for (int from = 0; from < n; from += 50_000) {
        q.enqueueAll(QueueBenchTasks.NOOP, LongStream.range(from, Math.min(n, from + 50_000L)).boxed().toList(),
            JobOptions.defaults());
      }
      double enq = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "soak: %,d no-op jobs enqueued in %.1f s (%,.0f jobs/s); %s%n", n, enq, n / enq,
          sizes(schema));
      long c0 = store.finishCursor(); // before the workers start: every finish of the run is counted
      for (int i = 0; i < intOpt("workers", 2); i++) {
        startWorker(loc);
      }
      // keeps a backlog for the whole run (a fast drain would otherwise empty the table in a few minutes
      // and the later minutes would measure nothing). From the first second by default: topping up only
      // below n / 2 left the first minute without enqueues, so the first minute against the last
      // compared a drain alone with a drain beside a producer as fast as it
      String topUpMode = opts.getOrDefault("top-up", "steady");
      long topUpBelow = switch (topUpMode) {
        case "steady" -> n;
        case "half" -> n / 2;
        case "no" -> -1;
        default -> throw new IllegalArgumentException("--top-up: steady, half or no, not " + topUpMode);
      };
      boolean topUp = topUpBelow > 0;
      long enqueued = n;
      long start = System.nanoTime();
      long prev = c0;
      long prevEnqueued = enqueued;
      List<Long> perMinute = new ArrayList<>();
      for (int m = 1; m <= warmup + minutes; m++) {
        long end = start + m * 60_000_000_000L;
        while (System.nanoTime() < end && store.finishCursor() - c0 < enqueued) {
          if (topUp && enqueued - (store.finishCursor() - c0) < topUpBelow) {
            q.enqueueAll(QueueBenchTasks.NOOP, LongStream.range(enqueued, enqueued + 50_000).boxed().toList(),
                JobOptions.defaults());
            enqueued += 50_000;
          } else {
            Thread.sleep(500);
          }
        }
        long c = store.finishCursor();
        boolean full = System.nanoTime() >= end;
        if (full && m > warmup) {
          perMinute.add(c - prev);
        }
        System.out.printf(Locale.ROOT, "%s %2d%s: %,9d jobs finished (%,.0f jobs/s), %,d in all, %,d enqueued in the"
            + " minute; %s; load %s%n", m > warmup ? "minute" : "warm-up minute", m > warmup ? m - warmup : m,
            full ? "" : " (partial: all done)", c - prev, (c - prev) / 60.0, c - c0,
            enqueued - prevEnqueued, sizes(schema), loadAverage());
        prev = c;
        prevEnqueued = enqueued;
        if (!full) {
          break;
        }
      }
      printStatements(prev - c0);
      if (perMinute.size() >= 2) {
        printFirstAgainstLast("soak", perMinute, "", "");
      }
    } finally {
      killAll();
    }
  }

  /** A soak's last full minute against its first; {@code firstNote} and {@code lastNote} follow their rates. */
  private static void printFirstAgainstLast(String label, List<Long> perMinute, String firstNote, String lastNote) {
    long first = perMinute.get(0);
    long last = perMinute.get(perMinute.size() - 1);
    System.out.printf(Locale.ROOT, "%s: first minute %,.0f jobs/s%s, last full minute (%d) %,.0f jobs/s%s: %+.1f %%%n",
        label, first / 60.0, firstNote, perMinute.size(), last / 60.0, lastNote, 100.0 * (last - first) / first);
  }

  /**
   * The soak with its N jobs arriving at an even rate over the counted minutes (and the warm-up's at
   * the same rate), none loaded first: each minute the jobs finished, the backlog left, and the
   * latency from enqueue to finish (p50 and p99 of the jobs finished in the minute's last 20 s, read
   * from the history). A drain that decays shows a growing backlog and latency at a steady rate.
   */
  private void pacedSoak(long n, int minutes, int warmup) throws Exception {
    double rate = n / (minutes * 60.0);
    String schema = "soak_" + (schemaSeq++);
    String loc = location(schema, true);
    try (StoreBackend store = JobStores.open(loc); JobQueue q = JobQueue.builder(store).build()) {
      long c0 = store.finishCursor();
      for (int i = 0; i < intOpt("workers", 2); i++) {
        startWorker(loc);
      }
      System.out.printf(Locale.ROOT, "paced soak: %,d no-op jobs over %d minutes (%,.0f jobs/s), after %d warm-up"
          + " minutes at the same rate%n", n, minutes, rate, warmup);
      long enqueued = 0;
      long start = System.nanoTime();
      long polled = start;
      long prev = c0;
      List<Long> perMinute = new ArrayList<>();
      List<String> p99s = new ArrayList<>();
      for (int m = 1; m <= warmup + minutes; m++) {
        long end = start + m * 60_000_000_000L;
        for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
          long due = (long) (rate * (now - start) / 1e9);
          if (due > enqueued) {
            long count = Math.min(due - enqueued, 50_000);
            q.enqueueAll(QueueBenchTasks.NOOP, LongStream.range(enqueued, enqueued + count).boxed().toList(),
                JobOptions.defaults());
            enqueued += count;
          } else {
            Thread.sleep(50); // a bench's pacing, not a test's synchronisation
          }
          if (now - polled > 250_000_000L) {
            store.finishCursor(); // the feed's horizon settles by reads: one a minute would lag a minute
            polled = now;
          }
        }
        long c = store.finishCursor();
        String[] latency = server.psql("SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY finished_at -"
            + " created_at) / 1000.0)::numeric, 1) || ' ' || round((percentile_cont(0.99) WITHIN GROUP (ORDER BY"
            + " finished_at - created_at) / 1000.0)::numeric, 1) FROM " + schema + ".spindle_history WHERE finished_at"
            + " >= (SELECT max(finished_at) FROM " + schema + ".spindle_history) - 20000000").strip().split(" ");
        String p50 = latency[0].isEmpty() ? "-" : latency[0];
        String p99 = latency.length > 1 ? latency[1] : "-";
        if (m > warmup) {
          perMinute.add(c - prev);
          p99s.add(p99);
        }
        System.out.printf(Locale.ROOT, "%s %2d: %,9d jobs finished (%,.0f jobs/s), %,d enqueued, backlog %,d;"
            + " enqueue to finish p50 %s ms, p99 %s ms; %s; load %s%n", m > warmup ? "minute" : "warm-up minute",
            m > warmup ? m - warmup : m, c - prev, (c - prev) / 60.0, enqueued, enqueued - (c - c0), p50, p99,
            sizes(schema), loadAverage());
        prev = c;
      }
      printStatements(prev - c0);
      if (perMinute.size() >= 2) {
        printFirstAgainstLast("paced soak", perMinute, " (p99 " + p99s.get(0) + " ms)",
            " (p99 " + p99s.get(p99s.size() - 1) + " ms)");
      }
    } finally {
      killAll();
    }
  }

  /**
   * With --statements yes: the statements that took the most execution time in PostgreSQL since it
   * started (pg_stat_statements), per finished job, and the hot table's vacuums.
   */
  private void printStatements(long finished) {
    if (!"yes".equals(opts.get("statements")) || finished <= 0) {
      return;
    }
    System.out.println("statements by execution time (pg_stat_statements), us per finished job | calls | rows per call"
        + " | buffers read or hit per finished job:");
    System.out.println(server.psql("SELECT to_char(total_exec_time * 1000 / " + finished + ", 'FM9990.00') || ' | '"
        + " || calls || ' | ' || round(rows::numeric / greatest(calls, 1), 1) || ' | ' || round((shared_blks_hit"
        + " + shared_blks_read)::numeric / " + finished + ", 1) || ' | ' || left(regexp_replace(query,"
        + " '\\s+', ' ', 'g'), 160) FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15"));
    System.out.println("vacuums of the hot tables: " + server.psql("SELECT string_agg(schemaname || '.' || relname"
        + " || ' ' || autovacuum_count || ' autovacuums, ' || autoanalyze_count || ' autoanalyzes', '; ')"
        + " FROM pg_stat_user_tables WHERE relname = 'spindle_jobs'").strip());
  }

  /** With --statements yes: forgets the statements so far (the warm-up's, the enqueue's). */
  private void resetStatements() {
    if ("yes".equals(opts.get("statements"))) {
      server.psql("SELECT pg_stat_statements_reset()");
    }
  }

  /** The jobs table's and the history's sizes (heap, indexes), the jobs table's dead rows and autovacuums. */
  private String sizes(String schema) {
    String out = server.psql("SELECT pg_size_pretty(pg_table_size('" + schema + ".spindle_jobs')) || ' + indexes '"
        + " || pg_size_pretty(pg_indexes_size('" + schema + ".spindle_jobs')) || ', dead rows '"
        + " || coalesce((SELECT n_dead_tup FROM pg_stat_user_tables WHERE schemaname = '" + schema + "'"
        + " AND relname = 'spindle_jobs'), 0) || ' (' || coalesce((SELECT autovacuum_count FROM pg_stat_user_tables"
        + " WHERE schemaname = '" + schema + "' AND relname = 'spindle_jobs'), 0) || ' autovacuums so far)'"
        + " || '; history ' || coalesce((SELECT pg_size_pretty(sum(pg_table_size(inhrelid)))"
        + " || ' + indexes ' || pg_size_pretty(sum(pg_indexes_size(inhrelid))) FROM pg_inherits WHERE inhparent = '"
        + schema + ".spindle_history'::regclass), '-')");
    return "jobs table " + out.strip();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  /** Spindle, then db-scheduler, --rounds times: the same N, worker processes and slots. */
  private void versus() throws Exception {
    int n = intOpt("jobs", 100_000);
    int rounds = intOpt("rounds", 2);
    List<double[]> rates = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      double spindle = spindleDrain(n);
      double dbs = "no".equals(opts.get("db-scheduler")) ? Double.NaN : dbSchedulerDrain(n);
      rates.add(new double[] {spindle, dbs});
      String beside = Double.isNaN(dbs) ? ""
          : String.format(Locale.ROOT, ", db-scheduler %,.0f jobs/s: %.1fx", dbs, spindle / dbs);
      System.out.printf(Locale.ROOT, "round %d: %,d no-op jobs, %d worker processes x %s slots (Spindle's prefetch"
          + " %s): Spindle %,.0f jobs/s%s%n", r + 1, n, intOpt("workers", 2), opts.getOrDefault("concurrency", "64"),
          opts.getOrDefault("prefetch", "0"), spindle, beside);
    }
  }

  /** Spindle's drain rate of {@code n} no-op jobs (after warm-up drains, {@link #drains}) on fresh worker processes. */
  private double spindleDrain(int n) throws Exception {
    String loc = location("versus_" + (schemaSeq++), !"off".equals(opts.get("notify")));
    // --keep-successes no: successes are deleted as they complete (resultTtl 0), as db-scheduler's are
    boolean keep = !"no".equals(opts.get("keep-successes"));
    JobOptions options = keep ? JobOptions.defaults()
        : JobOptions.builder().retention(Duration.ZERO, JobPolicy.defaults().failureTtl()).build();
    try (StoreBackend store = JobStores.open(loc); JobQueue q = JobQueue.builder(store).build()) {
      for (int i = 0; i < intOpt("workers", 2); i++) {
        startWorker(loc, List.of("--concurrency", opts.getOrDefault("concurrency", "64"), "--prefetch",
            opts.getOrDefault("prefetch", "0"), "--model",
            opts.getOrDefault("model", "THREADS")), opts.containsKey("worker-jvm")
            ? List.of(opts.get("worker-jvm").split(" ")) : List.of());
      }
      double rate = 0;
      List<Integer> drains = drains(n);
      for (int round = 0; round < drains.size(); round++) {
        boolean measured = round == drains.size() - 1; // after the warm-up drains
        int count = drains.get(round);
        long c0 = store.finishCursor();
        long s0 = succeededSoFar(store);
        if (measured) {
          resetStatements();
        }
        q.enqueueAll(QueueBenchTasks.NOOP, LongStream.range(0, count).boxed().toList(), options);
        long committed = System.nanoTime();
        double[] cpu0 = cpuNow();
        List<Map<String, Double>> threads0 = measured && opts.containsKey("threads")
            ? processes.stream().map(p -> threadCpu(p.pid())).toList() : List.of();
        if (keep) {
          while (store.finishCursor() - c0 < count) {
            Thread.sleep(10); // each read of the cursor also reads pg_locks (the finished feed's horizon)
          }
        } else {
          // deleted successes leave no finish number: the minute statistics count them in the same commit
          while (succeededSoFar(store) - s0 < count) {
            Thread.sleep(10);
          }
        }
        rate = count / ((System.nanoTime() - committed) / 1e9);
        if (measured) {
          printStatements(count);
          vacuumAndPrintCpu("Spindle", cpu0, count);
          for (int i = 0; i < threads0.size(); i++) {
            printThreadCpuSince(processes.get(i).pid(), threads0.get(i), count);
          }
        }
      }
      return rate;
    } finally {
      killAll();
    }
  }

  /**
   * The drains of one side of a round: --warmup jobs in drains of at most {@code n} each, then the
   * measured drain of {@code n}. Warm-up drains of the measured drain's size put the workers
   * through the same idle-enqueue-drain cycle before it is measured: after one long warm-up drain,
   * the code paths first taken between drains deoptimized JIT-compiled methods at the start of the
   * measured one, and the recompilation was a tenth of the workers' CPU there.
   */
  private List<Integer> drains(int n) {
    List<Integer> out = new ArrayList<>();
    for (int left = intOpt("warmup", 5000); left > 0; left -= n) {
      out.add(Math.min(left, n));
    }
    out.add(n);
    return out;
  }

  /** Successes the store counted in its minute statistics in the day around now. */
  private static long succeededSoFar(StoreBackend store) {
    Instant now = Instant.now();
    return store.statistics().orElseThrow().minutes(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1))).stream()
        .mapToLong(m -> m.succeeded()).sum();
  }

  /** db-scheduler's drain rate of {@code n} no-op one-time tasks (after warm-up drains, {@link #drains}). */
  private double dbSchedulerDrain(int n) throws Exception {
    String schema = "dbs_" + (schemaSeq++);
    server.psql("CREATE SCHEMA " + schema + "; SET search_path TO " + schema + ";"
        + " CREATE TABLE scheduled_tasks (task_name text NOT NULL, task_instance text NOT NULL, task_data bytea,"
        + " execution_time timestamp with time zone NOT NULL, picked boolean NOT NULL, picked_by text,"
        + " last_success timestamp with time zone, last_failure timestamp with time zone, consecutive_failures int,"
        + " last_heartbeat timestamp with time zone, version bigint NOT NULL, priority smallint,"
        + " PRIMARY KEY (task_name, task_instance));"
        + " CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);"
        + " CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);"
        + " CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);");
    String url = server.jdbcUrl("postgres");
    for (int i = 0; i < intOpt("workers", 2); i++) {
      List<String> args = List.of("--url", url, "--user", server.user(), "--password-file", passwordFile.toString(),
          "--schema", schema, "--threads", opts.getOrDefault("concurrency", "64"), "--poll-ms",
          opts.getOrDefault("poll-ms", "100"));
      ChildSpec spec = ChildSpec.builder("db-scheduler worker" + workerSeq, DbSchedulerBenchWorker.class.getName())
          .jvmOptions(List.of("-XX:+UseParallelGC")).args(args)
          .stderr(ProcessBuilder.Redirect.appendTo(dir.resolve("dbs-" + (workerSeq++) + ".log").toFile())).build();
      Process p = JvmLauncher.processBuilder(spec).start();
      processes.add(p);
      String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
      if (line == null || !line.startsWith("READY")) {
        throw new IllegalStateException("db-scheduler process did not start; see " + dir);
      }
    }
    try (com.zaxxer.hikari.HikariDataSource ds = DbSchedulerBenchWorker.dataSource(url, server.user(),
        server.password(), schema, 4);
         java.sql.Connection c = ds.getConnection()) {
      double rate = 0;
      int seq = 0;
      List<Integer> drains = drains(n);
      for (int round = 0; round < drains.size(); round++) {
        boolean measured = round == drains.size() - 1; // after the warm-up drains
        int count = drains.get(round);
        List<com.github.kagkarlsson.scheduler.task.TaskInstance<?>> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          batch.add(DbSchedulerBenchWorker.NOOP.instance("j" + (seq++)));
        }
        if (measured) {
          resetStatements();
        }
        DbSchedulerBenchWorker.scheduleInOneTransaction(ds, batch, Instant.now());
        long committed = System.nanoTime();
        double[] cpu0 = cpuNow();
        while (true) {
          // stops at the first live row (count(*) every 5 ms would cost the server more than a drain's share)
          try (java.sql.Statement st = c.createStatement();
               java.sql.ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM scheduled_tasks)")) {
            rs.next();
            if (!rs.getBoolean(1)) {
              break;
            }
          }
          Thread.sleep(5);
        }
        rate = count / ((System.nanoTime() - committed) / 1e9);
        if (measured) {
          printStatements(count);
          vacuumAndPrintCpu("db-scheduler", cpu0, count);
        }
      }
      return rate;
    } finally {
      killAll();
    }
  }

  private void startWorker(String location) throws IOException {
    startWorker(location, List.of("--concurrency", opts.getOrDefault("concurrency", "64"), "--prefetch",
        opts.getOrDefault("prefetch", "0")), List.of());
  }

  private Process startWorker(String location, List<String> extra, List<String> jvm) throws IOException {
    Process p = BenchWorkers.start(dir, "pgbench", workerSeq++, location, extra, jvm);
    processes.add(p);
    return p;
  }

  /**
   * CPU seconds used so far by every PostgreSQL server process ({@code utime + stime} of
   * {@code /proc/PID/stat}, clock ticks of 10 ms); a backend that exits takes its share with it,
   * so this is measured on pooled connections that live through the run.
   */
  private static double postgresCpu() {
    double sum = 0;
    for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
      try {
        String stat = Files.readString(Path.of("/proc/" + h.pid() + "/stat"));
        int close = stat.lastIndexOf(')');
        if (!stat.substring(stat.indexOf('(') + 1, close).startsWith("postgres")) {
          continue;
        }
        String[] f = stat.substring(close + 2).split(" ");
        // utime, stime, cutime, cstime (fields 14-17): the postmaster's cutime and cstime hold the CPU of its
        // children that ended (autovacuum workers, backends), which a sum over live processes alone would lose
        sum += (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]))
            / 100.0;
      } catch (IOException | RuntimeException e) {
        // the process ended meanwhile (its CPU is in the postmaster's cutime and cstime from now on)
      }
    }
    return sum;
  }

  /** CPU seconds used so far by the worker processes this benchmark started. */
  private double workersCpu() {
    double sum = 0;
    for (Process p : processes) {
      sum += p.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }
    return sum;
  }

  /**
   * Takes the CPU per job of PostgreSQL, the workers and this JVM since {@code c0} ({@link #cpuNow()}), runs a
   * VACUUM, and prints both, PostgreSQL's CPU per job for the VACUUM apart: the clean-up of the drain's dead rows, which autovacuum
   * would otherwise do later, charged to whatever runs then.
   */
  private void vacuumAndPrintCpu(String who, double[] c0, int jobs) {
    double[] c1 = cpuNow();
    vacuum();
    double[] c2 = cpuNow();
    System.out.printf(Locale.ROOT, "  %s CPU per job: postgres %.1f us (+ %.1f us to VACUUM the drain's dead rows),"
        + " worker processes %.1f us, this JVM %.1f us%n", who, (c1[0] - c0[0]) * 1e6 / jobs,
        (c2[0] - c1[0]) * 1e6 / jobs, (c1[1] - c0[1]) * 1e6 / jobs, (c1[2] - c0[2]) * 1e6 / jobs);
  }

  /**
   * VACUUM of every table of the database. Not before a measured drain: a VACUUM of a table the warm-up emptied
   * tells the planner it is empty, and db-scheduler's claim then ran minutes on a nested loop.
   */
  private void vacuum() {
    server.psql("VACUUM");
  }

  /** Prints a process's CPU per job by thread name since {@code before} ({@link #threadCpu}). */
  private static void printThreadCpuSince(long pid, Map<String, Double> before, int jobs) {
    Map<String, Double> during = new java.util.TreeMap<>();
    threadCpu(pid).forEach((name, seconds) -> {
      double us = (seconds - before.getOrDefault(name, 0.0)) * 1e6 / jobs;
      if (us >= 0.05) {
        during.put(name, Math.round(us * 10) / 10.0);
      }
    });
    System.out.println("  worker " + pid + ", CPU us per job by thread: " + during);
  }

  /** CPU seconds used so far by each thread name (digits replaced by N) of a process; empty if it ended. */
  private static Map<String, Double> threadCpu(long pid) {
    Map<String, Double> by = new java.util.TreeMap<>();
    try (java.util.stream.Stream<Path> ts = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : ts.toList()) {
        String stat = Files.readString(t.resolve("stat"));
        int close = stat.lastIndexOf(')');
        String name = stat.substring(stat.indexOf('(') + 1, close).replaceAll("[0-9]+", "N");
        String[] f = stat.substring(close + 2).split(" ");
        by.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0, Double::sum);
      }
    } catch (IOException e) {
      return by;
    }
    return by;
  }

  private double[] cpuNow() {
    return new double[] {postgresCpu(), workersCpu(),
        ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0)};
  }

  private void killAll() {
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroy();
      }
    }
    for (Process p : processes) {
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }
}
