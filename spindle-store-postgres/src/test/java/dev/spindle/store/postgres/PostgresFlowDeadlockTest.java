package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.postgres.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Concurrent enqueues and claims with flow limits on a real PostgreSQL server cannot deadlock: two
 * stores on one schema (two processes), producers enqueueing batches whose keys come in shuffled
 * orders, and claimers completing and claiming at once (each claim locks several keys in turn). Every
 * job must finish, no call may fail, the server must count no deadlock, and no key may run more jobs
 * than its concurrency limit.
 */
class PostgresFlowDeadlockTest {
  private static final String APP = "spindle-flow-deadlock-test";
  private static final int PRODUCERS = 3;
  private static final int BATCHES = 20;
  private static final int BATCH = 50;
  private static final int CLAIMERS = 6;
  private static final int KEYS = 8;
  private static final int PERMITS = 2;

  @Test
  void concurrentEnqueuesAndClaimsUnderFlowLimitsFinishWithoutDeadlock() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    String schema = PostgresServer.newSchema("flowdl");
    long deadlocksBefore = deadlocks(pg);
    PostgresJobStore a = SharedPostgres.builder("unused").schema(schema).option("ApplicationName", APP).open();
    PostgresJobStore b = SharedPostgres.builder("unused").schema(schema).option("ApplicationName", APP).open();
    List<PostgresJobStore> stores = List.of(a, b);
    FlowLimit limit = FlowLimit.builder("dl").perArgument("tenant").concurrency(PERMITS).weight("k1", 3).build();
    a.flowAdmin().orElseThrow().putLimit(limit);
    FlowLimit shared = FlowLimit.builder("dlq").concurrency(4).build(); // one key for the whole queue "q2"
    a.flowAdmin().orElseThrow().putLimit(shared);
    int total = PRODUCERS * BATCHES * BATCH;
    AtomicInteger finished = new AtomicInteger();
    ConcurrentHashMap<String, AtomicInteger> running = new ConcurrentHashMap<>();
    AtomicInteger maxTenant = new AtomicInteger();
    AtomicInteger maxShared = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS + CLAIMERS);
    CyclicBarrier start = new CyclicBarrier(PRODUCERS + CLAIMERS);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int p = 0; p < PRODUCERS; p++) {
        PostgresJobStore store = stores.get(p % 2);
        Random rnd = new Random(p);
        futures.add(pool.submit(() -> {
          start.await();
          for (int n = 0; n < BATCHES; n++) {
            List<NewJob> batch = new ArrayList<>();
            Instant now = Instant.now();
            for (int i = 0; i < BATCH; i++) {
              String args = "{\"tenant\":\"k" + rnd.nextInt(KEYS) + "\",\"n\":" + i + "}";
              boolean q2 = i % 5 == 0;
              FlowLimit l = q2 ? shared : limit;
              String queue = q2 ? "q2" : "q";
              batch.add(new NewJob("t.x", args, queue, 0, now, null, JobPolicy.defaults(), now, null)
                  .withFlowKey(l.keyFor(queue, "t.x", args)));
            }
            Collections.shuffle(batch, rnd);
            store.enqueue(batch);
          }
          return null;
        }));
      }
      for (int w = 0; w < CLAIMERS; w++) {
        PostgresJobStore store = stores.get(w % 2);
        String worker = "w" + w;
        Instant now0 = Instant.now();
        store.heartbeat(new WorkerRecord(worker, "w", "host", 1, List.of("q", "q2"), 8, "THREADS", "RUNNING", now0,
            now0, now0.plus(Duration.ofHours(1)), 0, 0, 0, 0));
        futures.add(pool.submit(() -> {
          start.await();
          List<JobInfo> held = new ArrayList<>();
          while (finished.get() < total) {
            List<Completion> done = new ArrayList<>();
            for (JobInfo j : held) {
              running.get(keyOf(j)).decrementAndGet();
              done.add(Completion.succeeded(j.id(), j.fence(), worker, "1"));
            }
            Instant now = Instant.now();
            List<JobInfo> got = store.completeAndClaim(done, new ClaimRequest(worker, List.of("q", "q2"), 8, now), now)
                .claim().jobs();
            finished.addAndGet(done.size());
            for (JobInfo j : got) {
              int r = running.computeIfAbsent(keyOf(j), k -> new AtomicInteger()).incrementAndGet();
              (j.queue().equals("q2") ? maxShared : maxTenant).accumulateAndGet(r, Math::max);
            }
            if (got.isEmpty() && held.isEmpty()) {
              LockSupport.parkNanos(2_000_000); // pacing while producers catch up, not synchronisation
            }
            held = got;
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(180, TimeUnit.SECONDS); // a call that failed fails the test here
      }
    } finally {
      pool.shutdownNow();
      a.close();
      b.close();
    }
    assertThat(finished.get()).isEqualTo(total);
    assertThat(maxTenant.get()).isLessThanOrEqualTo(PERMITS);
    assertThat(maxShared.get()).isLessThanOrEqualTo(4);
    try (PostgresJobStore check = SharedPostgres.builder("unused").schema(schema).open()) {
      assertThat(check.inspector().queueSummaries()).allSatisfy(s -> {
        assertThat(s.counts().getOrDefault(JobState.SUCCEEDED, 0L)).isPositive();
        assertThat(s.counts().getOrDefault(JobState.QUEUED, 0L)).isZero();
        assertThat(s.counts().getOrDefault(JobState.RUNNING, 0L)).isZero();
      });
    }
    // a backend reports its deadlocks to the statistics when it exits: wait for the stores' to go
    await().atMost(Duration.ofSeconds(30)).until(() -> pg.psql("SELECT count(*) FROM pg_stat_activity"
        + " WHERE application_name = '" + APP + "'").trim().equals("0"));
    assertThat(deadlocks(pg)).isEqualTo(deadlocksBefore);
  }

  private static String keyOf(JobInfo j) {
    return j.queue().equals("q2") ? "q2" : j.argsJson().replaceAll(".*\"tenant\":\"([^\"]*)\".*", "$1");
  }

  private static long deadlocks(PostgresServer pg) {
    return Long.parseLong(pg.psql("SELECT pg_stat_force_next_flush(); SELECT deadlocks FROM pg_stat_database"
        + " WHERE datname = 'postgres'").lines().filter(l -> !l.isBlank()).reduce((x, y) -> y).orElseThrow().trim());
  }
}
