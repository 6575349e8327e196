package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.postgres.PostgresServer;
import dev.spindle.testkit.store.StoreContractTasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The PostgreSQL store under faults of a real server (its own, so cutting connections touches no
 * other test): connections cut mid-run and mid-statement, statement timeouts, a table held locked
 * (a busy database), and a full disk (a tablespace on a small tmpfs). Jobs stay stored and run once,
 * the worker carries on, and each failure says what happened.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PostgresFaultsTest {
  private static PostgresServer pg;

  @BeforeAll
  static void start() {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stop() {
    pg.close();
  }

  private static PostgresJobStore.Builder builder(String schema) {
    return PostgresJobStore.builder(pg.host(), pg.port(), "postgres", pg.user()).password(pg.password())
        .schema(schema).option("connectTimeout", "5");
  }

  private static Connection connect() throws Exception {
    Properties p = new Properties();
    p.setProperty("user", pg.user());
    p.setProperty("password", pg.password());
    p.setProperty("ApplicationName", "fault-test");
    return DriverManager.getConnection(pg.jdbcUrl("postgres"), p);
  }

  /** Terminates every connection of the stores (application "spindle"); returns how many. */
  private static int cutConnections() {
    return Integer.parseInt(pg.psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        + " WHERE application_name = 'spindle'").strip());
  }

  private static Worker worker(PostgresJobStore store) {
    return Worker.builder(store).registry(TaskRegistry.of(StoreContractTasks.class)).concurrency(4)
        .pollInterval(Duration.ofMillis(50)).start();
  }

  private static void assertAllRanOnce(PostgresJobStore store, List<? extends JobHandle<?>> handles) {
    for (JobHandle<?> h : handles) {
      JobInfo j = store.find(h.id()).orElseThrow();
      assertThat(j.state()).as("job %s", h.id()).isEqualTo(JobState.SUCCEEDED);
      assertThat(j.attempt()).as("job %s ran once", h.id()).isEqualTo(1);
    }
  }

  @Test
  void connectionsCutMidRunLoseAndRepeatNothing() throws Exception {
    try (PostgresJobStore producer = builder("cut").open(); PostgresJobStore store = builder("cut").open();
         JobQueue q = JobQueue.builder(producer).build(); Worker w = worker(store)) {
      List<JobHandle<Long>> handles = q.enqueueAll(StoreContractTasks.SQUARE,
          LongStream.range(0, 600).boxed().toList(), JobOptions.defaults());
      int cuts = 0;
      for (int round = 1; round <= 5; round++) {
        long target = round * 100L;
        await().atMost(Duration.ofSeconds(60)).until(() -> w.stats().succeeded() >= target);
        cuts += cutConnections();
      }
      assertThat(cuts).as("connections were cut while jobs ran").isPositive();
      for (JobHandle<Long> h : handles) {
        assertThat(h.result(Duration.ofSeconds(60))).isNotNull();
      }
      assertAllRanOnce(store, handles);
      assertThat(w.isTerminated()).as("the worker carries on").isFalse();
      assertThat(w.stats().succeeded()).isEqualTo(600);
    }
  }

  @Test
  void aStatementCutWhileItRunsSaysTheServerWentAwayAndWritesNothing() throws Exception {
    try (PostgresJobStore store = builder("cutstmt").open(); Connection holder = connect()) {
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.execute("LOCK TABLE cutstmt.spindle_paused IN ACCESS EXCLUSIVE MODE");
      }
      CompletableFuture<Void> pause = CompletableFuture.runAsync(() -> store.control().pauseQueue("q1"));
      await().atMost(Duration.ofSeconds(30)).until(() -> Integer.parseInt(pg.psql("SELECT count(*) FROM"
          + " pg_stat_activity WHERE application_name = 'spindle' AND wait_event_type = 'Lock'").strip()) == 1);
      pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'spindle'"
          + " AND wait_event_type = 'Lock'");
      assertThat(pause).failsWithin(Duration.ofSeconds(30)).withThrowableThat().havingCause()
          .isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e.reason()).isEqualTo(StoreException.Reason.UNAVAILABLE);
            assertThat(e.getMessage()).contains("unreachable or shutting down", "(pause queue q1 on postgres://",
                "nothing was written", "terminating connection due to administrator command");
          });
      holder.rollback();
      assertThat(store.control().pausedQueues()).as("nothing was written").isEmpty();
      store.control().pauseQueue("q1");
      assertThat(store.control().pausedQueues()).as("the pool replaced the connection").containsExactly("q1");
    }
  }

  @Test
  void aConnectionCutWhileCommittingSaysTheOutcomeIsUnknown() throws Exception {
    try (PostgresJobStore store = builder("cutcommit").open()) {
      // a deferred trigger ends its own connection at COMMIT: the client cannot tell whether it committed
      pg.psql("CREATE FUNCTION cutcommit.cut() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
          + " PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$;"
          + " CREATE CONSTRAINT TRIGGER cut AFTER INSERT ON cutcommit.spindle_paused DEFERRABLE INITIALLY DEFERRED"
          + " FOR EACH ROW EXECUTE FUNCTION cutcommit.cut()");
      assertThatThrownBy(() -> store.control().pauseQueue("q1")).isInstanceOfSatisfying(StoreException.class, e -> {
        assertThat(e.reason()).isEqualTo(StoreException.Reason.UNAVAILABLE);
        assertThat(e.getMessage()).contains("(pause queue q1 on postgres://", "while committing",
            "may or may not have been applied").doesNotContain("nothing was written");
      });
      pg.psql("DROP TRIGGER cut ON cutcommit.spindle_paused");
      store.control().pauseQueue("q1");
      assertThat(store.control().pausedQueues()).as("the pool replaced the connection").containsExactly("q1");
    }
  }

  @Test
  void completionsSavedBeforeAFailedClaimAreReportedAsApplied() throws Exception {
    PostgresJobStore.Builder timed = builder("claimfails").option("options", "-c statement_timeout=300");
    try (PostgresJobStore store = timed.open(); Connection holder = connect()) {
      Instant now = Instant.now();
      store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("default"), 1, "THREADS", "RUNNING", now, now,
          now.plus(Duration.ofMinutes(10)), 0, 0, 0, 0));
      store.enqueue(List.of(new NewJob("store.square", "3", "default", 0, now, null, JobPolicy.defaults(), now)));
      JobInfo job = store.claim(new ClaimRequest("w1", List.of("default"), 1, now)).jobs().get(0);
      // the claim reads the paused queues, the completion does not: held, only the claim times out
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.execute("LOCK TABLE claimfails.spindle_paused IN ACCESS EXCLUSIVE MODE");
      }
      Exchange ex = store.completeAndClaim(List.of(Completion.failed(job.id(), job.fence(), "w1",
          JobError.of("x.Boom", "boom").toJson())), new ClaimRequest("w1", List.of("default"), 1, now), now);
      holder.rollback();
      assertThat(store.find(job.id()).orElseThrow().state()).isEqualTo(JobState.FAILED);
      assertThat(ex.applied()).as("the failure was saved: the worker must not take it for fenced off")
          .containsExactly(true);
      assertThat(ex.claim().jobs()).isEmpty();
    }
  }

  @Test
  void aStatementTimeoutIsBusyNotLostAndTheWorkerWaitsItOut() throws Exception {
    PostgresJobStore.Builder timed = builder("timeout").option("options", "-c statement_timeout=300");
    try (PostgresJobStore producer = builder("timeout").open(); PostgresJobStore store = timed.open();
         JobQueue q = JobQueue.builder(producer).build(); Connection holder = connect()) {
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.execute("LOCK TABLE timeout.spindle_jobs IN ACCESS EXCLUSIVE MODE");
      }
      Instant now = Instant.now();
      NewJob one = new NewJob("store.square", "3", "default", 0, now, null, JobPolicy.defaults(), now);
      assertThatThrownBy(() -> store.enqueue(List.of(one))).isInstanceOfSatisfying(StoreException.class, e -> {
        assertThat(e.reason()).isEqualTo(StoreException.Reason.BUSY);
        assertThat(e.getMessage()).contains("PostgreSQL cancelled the statement (timeout or lock conflict)",
            "(enqueue 1 job(s) on postgres://", "nothing was written", "statement timeout");
      });
      holder.rollback();
      assertThat(store.inspector().listJobs(JobFilter.all())).as("the timed-out enqueue left nothing").isEmpty();

      // a busy database under a running worker: the jobs table held for a while, claims time out
      List<JobHandle<Long>> handles = q.enqueueAll(StoreContractTasks.SQUARE,
          LongStream.range(0, 200).boxed().toList(), JobOptions.defaults());
      try (Worker w = worker(store)) {
        await().atMost(Duration.ofSeconds(60)).until(() -> w.stats().succeeded() >= 20);
        try (Statement st = holder.createStatement()) {
          st.execute("LOCK TABLE timeout.spindle_jobs IN ACCESS EXCLUSIVE MODE");
        }
        // the worker's statements now wait for the lock and time out after 300 ms, again and again; a
        // completion committed just before the lock is counted a moment later, so the count is read
        // only after one timed-out statement was followed by another, and checked after the next one
        String first = awaitLockWaitAfter("");
        String second = awaitLockWaitAfter(first);
        long before = w.stats().succeeded();
        awaitLockWaitAfter(second);
        assertThat(w.stats().succeeded()).as("nothing completes while the table is held").isEqualTo(before);
        holder.rollback();
        for (JobHandle<Long> h : handles) {
          assertThat(h.result(Duration.ofSeconds(60))).isNotNull();
        }
        assertAllRanOnce(store, handles);
        assertThat(w.isTerminated()).isFalse();
      }
    }
  }

  /**
   * Waits until a statement of the store waits for a lock and began after {@code after} (the start
   * time of an earlier such statement, "" for any); returns its start time.
   */
  private String awaitLockWaitAfter(String after) {
    java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      String start = pg.psql("SELECT coalesce(to_char(max(query_start), 'YYYY-MM-DD HH24:MI:SS.US'), '') FROM"
          + " pg_stat_activity WHERE application_name = 'spindle' AND wait_event_type = 'Lock'").strip();
      seen.set(start);
      return !start.isEmpty() && start.compareTo(after) > 0;
    });
    return seen.get();
  }

  @Test
  void aFullDiskRefusesNewJobsKeepsTheStoredOnesAndRecoversWhenSpaceIsFreed() throws Exception {
    Path mount = Files.createTempDirectory("spindle-pg-small-");
    Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount.toString())
        .redirectErrorStream(true).start();
    String out = new String(m.getInputStream().readAllBytes());
    assertThat(m.waitFor()).as("a small tmpfs for the tablespace (needs root): " + out).isZero();
    try {
      UserPrincipal owner = mount.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(mount, owner);
      pg.psql("CREATE TABLESPACE spindle_small LOCATION '" + mount + "'");
      try (PostgresJobStore store = builder("diskfull").option("options", "-c default_tablespace=spindle_small").open();
           Connection admin = connect()) {
        admin.setAutoCommit(true);
        try (Statement st = admin.createStatement()) {
          // ballast: freed later to make room again
          st.execute("CREATE TABLE public.ballast TABLESPACE spindle_small AS SELECT repeat('x', 1000) AS pad"
              + " FROM generate_series(1, 4000)");
        }
        java.util.Random random = new java.util.Random(42);
        List<String> stored = new ArrayList<>();
        StoreException full = null;
        for (int i = 0; i < 2000 && full == null; i++) {
          Instant now = Instant.now();
          List<NewJob> batch = new ArrayList<>();
          for (int k = 0; k < 8; k++) {
            StringBuilder noise = new StringBuilder(64 * 1024 + 2).append('"'); // incompressible: TOAST cannot shrink it
            for (int n = 0; n < 64 * 1024; n++) {
              noise.append((char) ('a' + random.nextInt(26)));
            }
            batch.add(new NewJob("store.count", noise.append('"').toString(), "default", 0, now, null,
                JobPolicy.defaults(), now));
          }
          try {
            store.enqueue(batch).forEach(r -> stored.add(r.jobId()));
          } catch (StoreException e) {
            full = e;
          }
        }
        assertThat(full).as("the tablespace filled up").isNotNull();
        assertThat(full.reason()).isEqualTo(StoreException.Reason.DISK_FULL);
        assertThat(full.getMessage()).contains("disk is full", "rolled back", "No space left on device");
        assertThat(stored).isNotEmpty();
        assertThat(store.find(stored.get(0))).as("stored jobs are still there").isPresent();
        assertThat(store.inspector().listJobs(JobFilter.all().withLimit(100_000))).hasSize(stored.size());

        try (Statement st = admin.createStatement()) {
          st.execute("DROP TABLE public.ballast");
        }
        try (Worker w = worker(store)) {
          await().atMost(Duration.ofSeconds(120)).until(() -> w.stats().succeeded() >= stored.size());
        }
        assertThat(stored).allSatisfy(id -> assertThat(store.find(id).orElseThrow().state())
            .isEqualTo(JobState.SUCCEEDED));
      }
    } finally {
      pg.psql("DROP SCHEMA IF EXISTS diskfull CASCADE");
      pg.psql("DROP TABLE IF EXISTS public.ballast");
      pg.psql("DROP TABLESPACE IF EXISTS spindle_small");
      new ProcessBuilder("umount", mount.toString()).start().waitFor();
      Files.deleteIfExists(mount);
    }
  }
}
