package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.postgres.internal.FinishHorizon;
import dev.spindle.testkit.postgres.PostgresServer;
import dev.spindle.testkit.store.ManualClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The finished feed with numbers from a sequence ({@link FinishHorizon}): numbers commit out of
 * order, and a reader polling "after cursor N" still misses no finished job.
 */
class PostgresFinishedFeedTest {
  private static final Instant T0 = Instant.parse("2030-01-07T10:00:00Z");
  private final ManualClock clock = new ManualClock(T0);

  private static void register(PostgresJobStore store, String worker, Instant now) {
    store.heartbeat(new WorkerRecord(worker, "w", "host", 1, List.of("default"), 1, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofDays(30)), 0, 0, 0, 0));
  }

  private static List<NewJob> jobs(int n, Instant now) {
    List<NewJob> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new NewJob("store.echo", "\"j" + i + "\"", "default", 0, now, null,
          dev.spindle.queue.JobPolicy.defaults(), now));
    }
    return out;
  }

  private static Connection connect(PostgresJobStore store) throws Exception {
    PostgresServer pg = PostgresServer.shared();
    Properties p = new Properties();
    p.setProperty("user", pg.user());
    p.setProperty("password", pg.password());
    p.setProperty("currentSchema", store.schema());
    Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), p);
    c.setAutoCommit(false);
    return c;
  }

  /** n new jobs, claimed by worker w1. */
  private List<JobInfo> running(PostgresJobStore store, int n) {
    register(store, "w1", clock.instant());
    store.enqueue(jobs(n, clock.instant()));
    return store.claim(new ClaimRequest("w1", List.of("default"), n, clock.instant())).jobs();
  }

  /**
   * Finishes a job as the store's finishing transactions do (the lock, then a number), in the
   * statement's transaction, which the caller leaves open; returns its finish number.
   */
  private static long finishInOpenTransaction(Statement st, String id) throws Exception {
    st.execute("SELECT pg_advisory_xact_lock_shared(" + FinishHorizon.CLASS_KEY
        + ", hashtext('spindle-finish:' || current_schema()))");
    try (ResultSet rs = st.executeQuery("UPDATE spindle_jobs SET state = 3, finished_at = 0, expires_at = "
        + Long.MAX_VALUE / 2 + ", finish_seq = nextval('spindle_finish_seq') WHERE id = " + id
        + " RETURNING finish_seq")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aReaderDoesNotPassTheNumberOfATransactionStillOpen() throws Exception {
    try (PostgresJobStore store = SharedPostgres.builder("feed").clock(clock).open()) {
      List<JobInfo> held = running(store, 2);
      String slow = held.get(0).id();
      String fast = held.get(1).id();
      long cursor = store.finishCursor();
      try (Connection c = connect(store); Statement st = c.createStatement()) {
        long slowSeq = finishInOpenTransaction(st, slow);
        // a later number commits first
        assertThat(store.complete(List.of(Completion.succeeded(fast, held.get(1).fence(), "w1", "1")),
            clock.instant())).containsExactly(true);
        assertThat(store.find(fast).orElseThrow().finishSeq()).isGreaterThan(slowSeq);
        for (int i = 0; i < 3; i++) {
          FinishedBatch b = store.finishedAfter(cursor, 100);
          assertThat(b.cursor()).as("the cursor stays below the open transaction's number").isLessThan(slowSeq);
          cursor = b.cursor();
          assertThat(store.finishCursor()).isLessThan(slowSeq);
        }
        c.commit();
      }
      List<String> seen = new ArrayList<>();
      long[] at = {cursor};
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        FinishedBatch b = store.finishedAfter(at[0], 100);
        b.jobs().forEach(j -> seen.add(j.id()));
        at[0] = b.cursor();
        assertThat(seen).containsExactlyInAnyOrder(slow, fast);
      });
      assertThat(store.finishCursor()).isGreaterThanOrEqualTo(store.find(fast).orElseThrow().finishSeq());
    }
  }

  @Test
  void retentionBeyondALimitDoesNotPassTheNumberOfATransactionStillOpen() throws Exception {
    try (PostgresJobStore store = SharedPostgres.builder("feedretention").clock(clock).open()) {
      List<JobInfo> held = running(store, 3);
      RetentionLimits keepNone = new RetentionLimits(0, 100, 100);
      store.finishCursor(); // the horizon's first reading, which would wait for the transaction below
      try (Connection c = connect(store); Statement st = c.createStatement()) {
        finishInOpenTransaction(st, held.get(0).id());
        store.complete(List.of(Completion.succeeded(held.get(1).id(), held.get(1).fence(), "w1", "1"),
            Completion.succeeded(held.get(2).id(), held.get(2).fence(), "w1", "1")), clock.instant());
        assertThat(store.purgeExpired(clock.instant(), keepNone))
            .as("the later jobs stay while a lower number may still commit").isZero();
        c.commit();
      }
      assertThat(store.purgeExpired(clock.instant(), keepNone)).isEqualTo(3);
      assertThat(held).allSatisfy(j -> assertThat(store.find(j.id())).isEmpty());
    }
  }

  @Test
  void aPollingReaderSeesEveryJobFinishedByConcurrentWorkers() throws Exception {
    int n = 3000;
    int threads = 6;
    try (PostgresJobStore store = SharedPostgres.builder("feedload").clock(clock).open()) {
      long start = store.finishCursor();
      store.enqueue(jobs(n, clock.instant()));
      Set<String> seen = ConcurrentHashMap.newKeySet();
      AtomicBoolean done = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
      try {
        Future<?> reader = pool.submit(() -> {
          long cursor = start;
          while (true) {
            boolean last = done.get();
            FinishedBatch b = store.finishedAfter(cursor, 50);
            b.jobs().forEach(j -> seen.add(j.id()));
            assertThat(b.cursor()).isGreaterThanOrEqualTo(cursor);
            cursor = b.cursor();
            if (last && b.jobs().isEmpty()) {
              return null;
            }
          }
        });
        List<Future<Integer>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          String w = "w" + t;
          register(store, w, clock.instant());
          workers.add(pool.submit(() -> {
            int finished = 0;
            while (true) {
              List<JobInfo> got = store.claim(new ClaimRequest(w, List.of("default"), 7, clock.instant())).jobs();
              if (got.isEmpty()) {
                return finished;
              }
              List<Completion> ks = got.stream().map(j -> Completion.succeeded(j.id(), j.fence(), w, "1")).toList();
              finished += (int) store.complete(ks, clock.instant()).stream().filter(x -> x).count();
            }
          }));
        }
        int total = 0;
        for (Future<Integer> f : workers) {
          total += f.get();
        }
        assertThat(total).isEqualTo(n);
        done.set(true);
        reader.get();
      } finally {
        pool.shutdownNow();
      }
      assertThat(seen).as("every finished job reached the polling reader").hasSize(n);
    }
  }
}
