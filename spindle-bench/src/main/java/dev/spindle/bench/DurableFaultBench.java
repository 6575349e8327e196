package dev.spindle.bench;

import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.StepLog;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.postgres.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;

/**
 * The {@code kill -9} fault run of durable execution: {@code --jobs} jobs of five durable steps
 * ({@link DurableFaultTasks}, each body {@code --step-ms}) on SQLite or on a fresh testkit PostgreSQL
 * server, run by worker processes ({@link PostgresBenchWorker}) of which one is killed with SIGKILL
 * every {@code --kill-every-ms} and replaced until every job finished. Then it checks, and prints:
 * every job SUCCEEDED; every step recorded exactly once (read from the store's step records); and
 * every body that ran more than once was first started by a process that was killed (the bodies
 * log each start with their process id). The password reaches the workers in a 0600 file named by
 * the location.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.DurableFaultBench [--store sqlite|postgres] [--jobs 10000] [--workers 2]
 *     [--step-ms 2] [--kill-every-ms 2000] [--lease-ms 2000] [--heartbeat-ms 250] [--concurrency 16]
 * </pre>
 */
public final class DurableFaultBench {
  private static final int STEPS = 5;

  private final Map<String, String> opts;
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private int workerSeq;

  private DurableFaultBench(Map<String, String> opts) throws IOException {
    this.opts = opts;
    this.dir = Files.createTempDirectory("spindle-durable-fault", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    DurableFaultBench bench = new DurableFaultBench(opts);
    String kind = opts.getOrDefault("store", "sqlite");
    switch (kind) {
      case "sqlite" -> bench.run("SQLite", "sqlite:" + bench.dir.resolve("fault.db"));
      case "postgres" -> {
        try (PostgresServer server = PostgresServer.start()) {
          Path pw = bench.dir.resolve("password");
          Files.writeString(pw, server.password() + "\n", StandardCharsets.UTF_8);
          bench.run("PostgreSQL", server.location() + "&schema=" + PostgresServer.newSchema("dfault")
              + "&passwordFile=" + pw);
        }
      }
      default -> throw new IllegalArgumentException("--store: sqlite or postgres, not " + kind);
    }
  }

  private int intOpt(String k, int d) {
    return Integer.parseInt(opts.getOrDefault(k, Integer.toString(d)));
  }

  private void run(String product, String location) throws Exception {
    int n = intOpt("jobs", 10_000);
    int workers = intOpt("workers", 2);
    long killEvery = intOpt("kill-every-ms", 2000);
    long stepMs = intOpt("step-ms", 2);
    Path log = dir.resolve("body-starts.log");
    List<String> extra = List.of("--lease-ms", opts.getOrDefault("lease-ms", "2000"), "--heartbeat-ms",
        opts.getOrDefault("heartbeat-ms", "250"), "--concurrency", opts.getOrDefault("concurrency", "16"),
        "--model", "VIRTUAL");
    List<String> jvm = List.of("-Ddfault.log=" + log);
    try (StoreBackend store = JobStores.open(location); JobQueue q = JobQueue.builder(store).build()) {
      List<Process> live = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        live.add(startWorker(location, extra, jvm));
      }
      long c0 = store.finishCursor();
      JobOptions o = JobOptions.builder().maxWorkerLost(1000).build(); // many strikes are expected
      long t0 = System.nanoTime();
      List<String> ids = new ArrayList<>(n);
      q.enqueueAll(DurableFaultTasks.FIVE_STEPS, LongStream.range(0, n).map(x -> stepMs).boxed().toList(), o)
          .forEach(h -> ids.add(h.id()));
      Set<Long> killed = new HashSet<>();
      KillSchedule schedule = new KillSchedule(killEvery);
      while (store.finishCursor() - c0 < n) {
        if (schedule.due()) {
          Process victim = live.remove(ThreadLocalRandom.current().nextInt(live.size()));
          victim.destroyForcibly(); // SIGKILL
          victim.waitFor();
          killed.add(victim.pid());
          live.add(startWorker(location, extra, jvm));
        }
        Thread.sleep(20); // polling for progress, not synchronisation
      }
      FaultTally tally = FaultTally.settled(store.inspector(), n, Duration.ofMinutes(2));
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "durable fault (%s): %,d jobs of %d steps of %d ms, %d worker processes x %s"
              + " slots, kill -9 of one worker every %d ms on average until all were done (%d kills, each replaced), lease %s ms,"
              + " heartbeat %s ms: %.1f s%n", product, n, STEPS, stepMs, workers, extra.get(5), killEvery,
          killed.size(), extra.get(1), extra.get(3), s);
      System.out.printf(Locale.ROOT, "  states: %s; lost-worker strikes %,d, jobs claimed more than once %,d%n",
          tally.states(), tally.strikes(), tally.redelivered());
      printRecords(store.durable().orElseThrow(), ids);
      printBodies(Files.readAllLines(log), killed);
    } finally {
      for (Process p : processes) {
        p.destroyForcibly();
        p.waitFor();
      }
    }
  }

  /** Each job's step records, read back from the store: exactly s1#0 ... s5#0, once each. */
  private static void printRecords(DurableStore durable, List<String> ids) {
    long records = 0;
    long wrong = 0;
    for (String id : ids) {
      List<String> keys = durable.view(id).map(StepLog::steps).orElse(List.of()).stream().map(StepRecord::key)
          .sorted().toList();
      records += keys.size();
      if (!keys.equals(List.of("s1#0", "s2#0", "s3#0", "s4#0", "s5#0"))) {
        wrong++;
      }
    }
    System.out.printf(Locale.ROOT, "  step records: %,d for %,d jobs (%,d expected); jobs whose records are not"
        + " exactly s1..s5 once each: %,d%n", records, ids.size(), (long) ids.size() * STEPS, wrong);
  }

  /**
   * Body starts per (job, step): a body that started more than once must have been started before by
   * a process that was killed (it died inside the body, or before its record committed).
   */
  private static void printBodies(List<String> starts, Set<Long> killed) {
    Map<String, List<Long>> byStep = new HashMap<>();
    for (String line : starts) {
      int space = line.lastIndexOf(' ');
      byStep.computeIfAbsent(line.substring(0, space), k -> new ArrayList<>())
          .add(Long.parseLong(line.substring(space + 1)));
    }
    long reruns = 0;
    long unexplained = 0;
    long byKilled = 0;
    for (List<Long> pids : byStep.values()) {
      reruns += pids.size() - 1;
      for (int i = 0; i < pids.size() - 1; i++) { // every start but the last did not end in a record
        if (killed.contains(pids.get(i))) {
          byKilled++;
        } else {
          unexplained++;
        }
      }
    }
    System.out.printf(Locale.ROOT, "  bodies: %,d starts for %,d steps; %,d ran again, each after a start in a"
        + " killed process: %,d, after a start in a live process: %,d%n", starts.size(), byStep.size(), reruns,
        byKilled, unexplained);
  }

  private Process startWorker(String location, List<String> extra, List<String> jvm) throws IOException {
    Process p = BenchWorkers.start(dir, "durable-fault", workerSeq++, location, extra, jvm);
    processes.add(p);
    return p;
  }
}
