package dev.spindle.bench;

import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.WorkflowHandle;
import dev.spindle.store.redis.RedisJobStore;
import dev.spindle.store.redis.RedisStoreConfig;
import dev.spindle.testkit.redis.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;

/**
 * The {@link RedisBench} modes that break something while jobs flow and then count what was lost
 * or run twice: {@code fault} (worker processes killed with kill -9), {@code dag-fault} (the same
 * under a workflow of chords, {@link DagFault}) and {@code restart} (redis-server killed with kill
 * -9 and restarted on its AOF). Run from one thread; {@code restart} starts and joins its own
 * producer thread.
 */
final class RedisBenchFaultModes {
  private final RedisBenchFixture f;

  RedisBenchFaultModes(RedisBenchFixture fixture) {
    this.f = fixture;
  }

  /** The worker options of the kill -9 modes: --lease-ms, --heartbeat-ms and --concurrency. */
  private Map<String, String> killedWorkerOptions(String defaultConcurrency) {
    return Map.of("lease-ms", f.opt("lease-ms", "2000"), "heartbeat-ms", f.opt("heartbeat-ms", "250"),
        "concurrency", f.opt("concurrency", defaultConcurrency));
  }

  // ---------------------------------------------------------------- dag-fault: a workflow under kill -9

  /**
   * The workflow of {@link DagFault} while one worker process is killed with SIGKILL every
   * --kill-every-ms (and replaced) until the last callback ended; then its report: states,
   * callbacks created and run, duplicates, dependency-order violations.
   */
  void dagFault() throws Exception {
    int layers = f.intOpt("layers", 50);
    int width = f.intOpt("width", 199);
    int workers = f.intOpt("workers", 2);
    long killEvery = f.intOpt("kill-every-ms", 2000);
    long jobMs = f.intOpt("job-ms", 20);
    String ns = "dag-" + System.nanoTime();
    Path log = f.executionLog("dag-executions.log");
    Map<String, String> wopts = killedWorkerOptions("8");
    try (RedisJobStore store = f.open(ns); JobQueue q = JobQueue.builder(store).build()) {
      List<Process> live = f.startWorkers(workers, ns, wopts, "-Dqbench.log=" + log);
      DagFault dag = new DagFault(layers, width, jobMs);
      long t0 = System.nanoTime();
      WorkflowHandle h = q.submit(dag.workflow());
      long deadline = System.nanoTime() + f.intOpt("timeout-s", 900) * 1_000_000_000L;
      int kills = 0;
      KillSchedule schedule = new KillSchedule(killEvery);
      while (!dag.finished(store, h) && System.nanoTime() < deadline) {
        if (schedule.due()) {
          f.killOneAndReplace(live, ns, wopts, "-Dqbench.log=" + log);
          kills++;
        }
        Thread.sleep(20); // polling the store for progress, not synchronisation
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "dag-fault: %,d jobs (%d layers of %d jobs, each layer's chord callback"
              + " starting the next layer), jobs of %d ms, %d worker processes x %s slots, kill -9 every %d ms on average"
              + " (%d kills), lease %s ms: finished in %.1f s%n", h.jobs().size(), layers, width, jobMs, workers,
          wopts.get("concurrency"), killEvery, kills, wopts.get("lease-ms"), s);
      dag.report(store, h, Files.readAllLines(log), System.out);
    } finally {
      f.killAll();
    }
  }

  // ---------------------------------------------------------------- fault: kill -9 workers

  /**
   * N jobs of --job-ms each while one worker process is killed with SIGKILL every --kill-every-ms
   * (and replaced) for --kill-for-ms; then every job must complete. Executions are logged by the
   * task, so duplicates are counted exactly.
   */
  void fault() throws Exception {
    int n = f.intOpt("jobs", 100_000);
    int workers = f.intOpt("workers", 2);
    long killEvery = f.intOpt("kill-every-ms", 2000);
    long killFor = f.intOpt("kill-for-ms", 60_000);
    long jobMs = f.intOpt("job-ms", 15);
    String ns = "fault-" + System.nanoTime();
    Path log = f.executionLog("fault-executions.log");
    Map<String, String> wopts = killedWorkerOptions("16");
    try (RedisJobStore store = f.open(ns); JobQueue q = JobQueue.builder(store).build()) {
      List<Process> live = f.startWorkers(workers, ns, wopts, "-Drbench.log=" + log);
      long c0 = store.finishCursor();
      List<Long> inputs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        inputs.add(jobMs);
      }
      // many strikes are expected here: a job is dead-lettered only after 1000 lost workers
      JobOptions o = JobOptions.builder().maxWorkerLost(1000).build();
      long t0 = System.nanoTime();
      List<String> ids = new ArrayList<>(n);
      for (int from = 0; from < n; from += 10_000) {
        q.enqueueAll(RedisBenchTasks.LOGGED, inputs.subList(from, Math.min(n, from + 10_000)), o)
            .forEach(h -> ids.add(h.id()));
      }
      int kills = 0;
      long killUntil = System.nanoTime() + killFor * 1_000_000L;
      KillSchedule schedule = new KillSchedule(killEvery);
      long doneAtKillEnd = -1;
      while (store.finishCursor() - c0 < n) {
        long now = System.nanoTime();
        if (now < killUntil && schedule.due()) {
          f.killOneAndReplace(live, ns, wopts, "-Drbench.log=" + log);
          kills++;
        }
        if (doneAtKillEnd < 0 && now >= killUntil) {
          doneAtKillEnd = store.finishCursor() - c0;
        }
        Thread.sleep(20);
      }
      double s = (System.nanoTime() - t0) / 1e9;
      FaultTally tally = FaultTally.of(store.inspector());
      List<String> lines = Files.readAllLines(log);
      System.out.printf(Locale.ROOT, "fault: %,d jobs of %d ms, %d worker processes x %s slots, kill -9 of one worker "
              + "every %d ms on average for %d s (%d kills, each replaced), lease %s ms, heartbeat %s ms: all done after %.1f s "
              + "(%,d done when the kills stopped)%n", n, jobMs, workers, wopts.get("concurrency"), killEvery,
          killFor / 1000, kills, wopts.get("lease-ms"), wopts.get("heartbeat-ms"), s, doneAtKillEnd);
      tally.print(n, ids, lines);
    } finally {
      f.killAll();
    }
  }

  // ---------------------------------------------------------------- restart: kill -9 redis-server

  /**
   * Jobs flow (a backlog plus a producer enqueuing continuously) while redis-server is killed with
   * SIGKILL after --kill-after-ms and restarted on the same data (AOF, fsync every second). Reports
   * how long each worker took to consume again, and counts what was lost.
   */
  void restart() throws Exception {
    RedisServer server = f.server();
    if (server == null) {
      throw new IllegalStateException("the restart benchmark needs the redis-server it starts itself; unset "
          + RedisStoreConfig.ENV_URL);
    }
    int workers = f.intOpt("workers", 2);
    long jobMs = f.intOpt("job-ms", 2);
    String ns = "restart-" + System.nanoTime();
    Path log = f.executionLog("restart-executions.log");
    Map<String, String> wopts = Map.of("concurrency", f.opt("concurrency", "16"), "heartbeat-ms", "250",
        "lease-ms", "10000");
    RedisStoreConfig config = RedisStoreConfig.fromUrl(f.withNamespace(ns) + "&retryBudget=30s", Map.of());
    try (RedisJobStore store = RedisJobStore.open(config); JobQueue q = JobQueue.builder(store).build()) {
      f.startWorkers(workers, ns, wopts, "-Drbench.log=" + log);
      List<String> acked = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Long> ackedAt = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int b = 0; b < 5; b++) {
        q.enqueueAll(RedisBenchTasks.LOGGED, LongStream.range(0, 2000).map(x -> jobMs).boxed().toList(),
            JobOptions.defaults()).forEach(h -> {
              acked.add(h.id());
              ackedAt.add(System.nanoTime());
            });
      }
      java.util.concurrent.atomic.AtomicBoolean producing = new java.util.concurrent.atomic.AtomicBoolean(true);
      java.util.concurrent.atomic.AtomicLong failedEnqueues = new java.util.concurrent.atomic.AtomicLong();
      Thread producer = Thread.ofPlatform().start(() -> {
        while (producing.get()) {
          try {
            List<JobHandle<Long>> hs = q.enqueueAll(RedisBenchTasks.LOGGED,
                LongStream.range(0, 20).map(x -> jobMs).boxed().toList(), JobOptions.defaults());
            long at = System.nanoTime();
            for (JobHandle<Long> h : hs) {
              acked.add(h.id());
              ackedAt.add(at);
            }
          } catch (RuntimeException e) {
            failedEnqueues.incrementAndGet();
          }
        }
      });
      Thread.sleep(f.intOpt("kill-after-ms", 4000));
      long killedAt = System.nanoTime();
      server.kill9();
      server.restart();
      long readyAt = System.nanoTime();
      java.time.Instant readyWall = java.time.Instant.now();
      long cursor = store.finishCursor();
      Map<String, Long> resumedMs = new java.util.TreeMap<>();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (resumedMs.size() < workers && System.nanoTime() < deadline) {
        var batch = store.finishedAfter(cursor, 10_000);
        for (JobInfo j : batch.jobs()) {
          String w = j.workerId() == null ? "?" : j.workerId().substring(0, j.workerId().indexOf('@'));
          if (j.finishedAt() != null && j.finishedAt().isAfter(readyWall) && !resumedMs.containsKey(w)) {
            resumedMs.put(w, Duration.between(readyWall, j.finishedAt()).toMillis());
          }
        }
        cursor = batch.cursor();
        Thread.sleep(5);
      }
      Thread.sleep(2000);
      producing.set(false);
      producer.join();
      while (store.inspector().queueSummaries().stream().anyMatch(s -> s.waiting() + s.count(JobState.RUNNING) > 0)) {
        Thread.sleep(20);
      }
      int lost = 0;
      int lostInWindow = 0;
      for (int i = 0; i < acked.size(); i++) {
        if (store.find(acked.get(i)).isEmpty()) {
          lost++;
          if (killedAt - ackedAt.get(i) < 2_000_000_000L) {
            lostInWindow++;
          }
        }
      }
      List<String> lines = Files.readAllLines(log);
      Set<String> executed = new HashSet<>(lines);
      long notSucceeded = acked.stream().filter(id -> store.find(id).map(j -> j.state() != JobState.SUCCEEDED)
          .orElse(false)).count();
      System.out.printf(Locale.ROOT, "restart: redis-server killed with kill -9 and restarted after %d ms "
              + "(AOF, appendfsync everysec); it accepted connections again %d ms after the kill%n",
          f.intOpt("kill-after-ms", 4000), (readyAt - killedAt) / 1_000_000);
      System.out.printf(Locale.ROOT, "  workers consuming again (first job finished after redis was ready): %s%n",
          resumedMs);
      System.out.printf(Locale.ROOT, "  %,d acknowledged jobs: %,d lost (%,d acknowledged in the 2 s before the kill), "
              + "%,d not SUCCEEDED; %,d executions for %,d jobs (%,d duplicates); %,d enqueue calls failed "
              + "(reported to the producer, not acknowledged)%n", acked.size(), lost, lostInWindow, notSucceeded,
          lines.size(), executed.size(), lines.size() - executed.size(), failedEnqueues.get());
    } finally {
      f.killAll();
    }
  }
}
