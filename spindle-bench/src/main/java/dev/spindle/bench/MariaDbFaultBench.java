package dev.spindle.bench;

import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.mariadb.MariaDbServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;

/**
 * The {@code kill -9} fault run of the MariaDB store, as {@code PostgresBench fault} runs
 * PostgreSQL's: {@code --jobs} jobs of {@code --job-ms} each on a fresh testkit server, worker
 * processes ({@link PostgresBenchWorker}, which opens any location) of which one is killed with
 * SIGKILL every {@code --kill-every-ms} and replaced until every job finished. The task logs each
 * execution (O_APPEND), so lost jobs and duplicate executions are counted exactly ({@link
 * FaultTally}). The password reaches the workers in a 0600 file named by the location.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.MariaDbFaultBench [--jobs 20000] [--workers 2] [--job-ms 20]
 *     [--kill-every-ms 2000] [--lease-ms 2000] [--heartbeat-ms 250] [--concurrency 16]
 * </pre>
 */
public final class MariaDbFaultBench {
  private final Map<String, String> opts;
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private int workerSeq;

  private MariaDbFaultBench(Map<String, String> opts) throws IOException {
    this.opts = opts;
    this.dir = Files.createTempDirectory("spindle-mariadb-fault", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    try (MariaDbServer server = MariaDbServer.start()) {
      new MariaDbFaultBench(opts).run(server);
    }
  }

  private int intOpt(String k, int d) {
    return Integer.parseInt(opts.getOrDefault(k, Integer.toString(d)));
  }

  private void run(MariaDbServer server) throws Exception {
    int n = intOpt("jobs", 20_000);
    int workers = intOpt("workers", 2);
    long killEvery = intOpt("kill-every-ms", 2000);
    long jobMs = intOpt("job-ms", 20);
    Path passwordFile = dir.resolve("password");
    Files.writeString(passwordFile, server.password() + "\n", StandardCharsets.UTF_8);
    Path log = dir.resolve("fault-executions.log");
    List<String> extra = List.of("--lease-ms", opts.getOrDefault("lease-ms", "2000"), "--heartbeat-ms",
        opts.getOrDefault("heartbeat-ms", "250"), "--concurrency", opts.getOrDefault("concurrency", "16"));
    String loc = "mariadb://" + server.host() + ":" + server.port() + "/" + server.newDatabase("fault") + "?user="
        + server.user() + "&sslMode=disable&passwordFile=" + passwordFile;
    try (StoreBackend store = JobStores.open(loc); JobQueue q = JobQueue.builder(store).build()) {
      List<Process> live = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        live.add(startWorker(loc, extra, List.of("-Drbench.log=" + log)));
      }
      long c0 = store.finishCursor();
      JobOptions o = JobOptions.builder().maxWorkerLost(1000).build(); // many strikes are expected
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
          kills++;
          live.add(startWorker(loc, extra, List.of("-Drbench.log=" + log)));
        }
        Thread.sleep(20);
      }
      FaultTally tally = FaultTally.settled(store.inspector(), n, Duration.ofMinutes(1));
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "fault (MariaDB): %,d jobs of %d ms, %d worker processes x %s slots, kill -9 of"
              + " one worker every %d ms on average until all were done (%d kills, each replaced), lease %s ms, heartbeat %s ms:"
              + " %.1f s%n", n, jobMs, workers, extra.get(5), killEvery, kills, extra.get(1), extra.get(3), s);
      tally.print(n, ids, Files.readAllLines(log));
    } finally {
      for (Process p : processes) {
        p.destroyForcibly();
        p.waitFor();
      }
    }
  }

  private Process startWorker(String location, List<String> extra, List<String> jvm) throws IOException {
    Process p = BenchWorkers.start(dir, "mariadb-fault", workerSeq++, location, extra, jvm);
    processes.add(p);
    return p;
  }
}
