package dev.spindle.bench;

import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.store.redis.RedisJobStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;

/**
 * The {@link RedisBench} modes in which worker processes consume: {@code drain} (idle workers drain
 * a backlog of no-op jobs, jobs/s and CPU per job), {@code scaling} (the drain with 1, 2 and 4
 * worker processes, as a table) and {@code latency} (enqueue-to-start latency on idle workers).
 * Run from one thread.
 */
final class RedisBenchDrainModes {
  private final RedisBenchFixture f;

  RedisBenchDrainModes(RedisBenchFixture fixture) {
    this.f = fixture;
  }

  // ---------------------------------------------------------------- drain

  /**
   * Drains a backlog of --jobs no-op jobs with {@code workers} worker processes, a warm-up round
   * and --rounds measured ones, printing each round if {@code print}; returns the best measured
   * whole-backlog rate, jobs/s.
   */
  double drain(int workers, boolean print) throws Exception {
    int n = f.intOpt("jobs", 300_000);
    String ns = "drain-" + workers + "-" + System.nanoTime();
    double best = 0;
    try (RedisJobStore store = f.open(ns); JobQueue q = JobQueue.builder(store).build()) {
      // the workers wait on a queue of their own; each round fills a new queue while nobody consumes
      // it, then switches every worker process to it at once: a pure drain of a backlog
      List<Process> ps = f.startWorkers(workers, ns, Map.of("queue", "idle"));
      int rounds = f.intOpt("rounds", 3);
      long verified = 0;
      for (int round = 0; round <= rounds; round++) {
        long c0 = store.finishCursor();
        int count = round == 0 ? Math.min(n, 100_000) : n;
        long t0 = System.nanoTime();
        double redisCpu0 = f.redisCpu();
        List<Long> inputs = LongStream.range(0, 10_000).boxed().toList();
        String queue = "backlog-" + round;
        JobOptions options = JobOptions.builder().queue(queue).build();
        for (int done = 0; done < count; done += 10_000) {
          q.enqueueAll(RedisBenchTasks.NOOP, inputs.subList(0, Math.min(10_000, count - done)), options);
        }
        double redisCpu1 = f.redisCpu();
        Map<String, Long> calls1 = f.redisCalls();
        double workersCpu1 = f.workersCpu();
        long enqueued = System.nanoTime();
        for (Process p : ps) {
          p.getOutputStream().write(("queue " + queue + "\n").getBytes(StandardCharsets.UTF_8));
          p.getOutputStream().flush();
        }
        // measure the steady state: from 10% to 90% of the jobs finished
        long mark10 = 0;
        long mark90 = 0;
        long finished;
        while ((finished = store.finishCursor() - c0) < count) {
          long now = System.nanoTime();
          if (mark10 == 0 && finished >= count / 10) {
            mark10 = now;
          }
          if (mark90 == 0 && finished >= count * 9L / 10) {
            mark90 = now;
          }
          Thread.sleep(1);
        }
        long t1 = System.nanoTime();
        double all = (t1 - enqueued) / 1e9;
        double steady = (count * 0.8) / ((mark90 - mark10) / 1e9);
        if (round > 0) {
          best = Math.max(best, count / all);
        }
        if (print) {
          System.out.printf(Locale.ROOT, "%s %,d no-op jobs, %d worker processes x %s slots (prefetch %s): enqueued in %.2f s with no "
                  + "consumer, then drained in %.2f s = %,.0f jobs/s (%,.0f jobs/s from 10%% to 90%% done)%n",
              round == 0 ? "warm-up" : "drain  ", count, workers, f.opt("concurrency", "64"),
              f.opt("prefetch", "0"), (enqueued - t0) / 1e9, all, count / all, steady);
          System.out.printf(Locale.ROOT, "        CPU per job: redis %.1f us to enqueue, %.1f us to drain; worker "
                  + "processes %.1f us to drain; machine load average %.1f%n", (redisCpu1 - redisCpu0) * 1e6 / count,
              (f.redisCpu() - redisCpu1) * 1e6 / count, (f.workersCpu() - workersCpu1) * 1e6 / count,
              RedisBenchFixture.loadAverage());
          Map<String, Long> calls2 = f.redisCalls();
          StringBuilder sb = new StringBuilder("        redis commands per 100 drained jobs:");
          calls2.forEach((cmd, calls) -> {
            long d = calls - calls1.getOrDefault(cmd, 0L);
            if (d * 100.0 / count >= 0.5) {
              sb.append(String.format(Locale.ROOT, " %s %.1f", cmd, d * 100.0 / count));
            }
          });
          System.out.println(sb);
        }
        // every job of the round must have succeeded; then (untimed) the finished jobs are purged,
        // as result retention would do, so each round drains the same backlog into the same store
        long ok = store.inspector().queueSummaries().stream().filter(s -> s.queue().equals(queue))
            .mapToLong(s -> s.count(JobState.SUCCEEDED)).sum();
        if (ok != count) {
          throw new IllegalStateException("round " + round + ": " + ok + " of " + count + " jobs SUCCEEDED");
        }
        verified += ok;
        if (!f.hasOpt("keep")) {
          JobFilter done = JobFilter.all().withState(JobState.SUCCEEDED).withQueue(queue).withLimit(20_000);
          while (store.inspector().purge(done) > 0) {
            // next chunk
          }
        }
      }
      if (print) {
        System.out.printf(Locale.ROOT, "check: %,d jobs SUCCEEDED (each round verified, then purged%s)%n", verified,
            f.hasOpt("keep") ? "; --keep: kept" : "");
      }
    } finally {
      f.killAll();
    }
    return best;
  }

  /**
   * {@link #drain} with {@code workers} worker processes; with --bullmq yes, then BullMQ's drain of
   * the same backlog on the same server: as many worker processes of --bullmq-concurrency (default
   * 50) each, the same warm-up and --rounds (spindle-bench/peers/bullmq/drain.mjs).
   */
  void drainBesideBullmq(int workers) throws Exception {
    drain(workers, true);
    if (f.bullmq()) {
      f.runBullmq("drain.mjs", Integer.toString(f.intOpt("jobs", 300_000)), Integer.toString(workers),
          f.opt("bullmq-concurrency", "50"), Integer.toString(f.intOpt("rounds", 3)));
    }
  }

  void scaling() throws Exception {
    Map<Integer, Double> rate = new LinkedHashMap<>();
    for (int w : new int[] {1, 2, 4}) {
      rate.put(w, drain(w, true));
    }
    System.out.println("scaling (best whole-backlog drain rate of the measured rounds, no-op jobs):");
    System.out.println("| worker processes | jobs/s | vs 1 |");
    System.out.println("|---:|---:|---:|");
    rate.forEach((w, r) -> System.out.printf(Locale.ROOT, "| %d | %,.0f | %.2fx |%n", w, r, r / Objects.requireNonNull(rate.get(1))));
  }

  // ---------------------------------------------------------------- latency

  void latency() throws Exception {
    int samples = f.intOpt("samples", 3000);
    int workers = f.intOpt("workers", 2);
    String ns = "latency-" + System.nanoTime();
    try (RedisJobStore store = f.open(ns); JobQueue q = JobQueue.builder(store).build()) {
      f.startWorkers(workers, ns, Map.of());
      List<Long> lat = new ArrayList<>();
      for (int round = 0; round < 2; round++) {
        int count = round == 0 ? Math.min(samples, 500) : samples;
        List<Long> sent = new ArrayList<>();
        List<JobHandle<Long>> hs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          Thread.sleep(ThreadLocalRandom.current().nextInt(3, 9)); // pacing: the workers are idle at each enqueue
          long t = RedisBenchTasks.micros(Instant.now());
          hs.add(q.enqueue(RedisBenchTasks.STAMP, t));
          sent.add(t);
        }
        lat.clear();
        for (int i = 0; i < hs.size(); i++) {
          lat.add(hs.get(i).result(Duration.ofMinutes(1)) - sent.get(i));
        }
      }
      System.out.printf(Locale.ROOT, "latency enqueue->start, %d samples, %d idle worker processes: %s%n", lat.size(),
          workers, Latencies.summary(lat));
    } finally {
      f.killAll();
    }
  }
}
