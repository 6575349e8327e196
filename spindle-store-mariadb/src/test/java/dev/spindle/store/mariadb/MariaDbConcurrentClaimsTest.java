package dev.spindle.store.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import dev.spindle.testkit.mariadb.MariaDbServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A claim on MariaDB does not wait for another claim's open transaction when no delayed job is due:
 * a session of the test starts a job as a claim does and keeps its transaction open, and a claim of
 * another queue must then finish without a lock wait (the promotion of due jobs each claim starts
 * with used to lock the scheduled index up to that row and wait for it).
 */
class MariaDbConcurrentClaimsTest {
  private static final MariaDbServer SERVER = MariaDbServer.shared();

  private final String database = SERVER.newDatabase("claims");
  private final ExecutorService claimer = Executors.newSingleThreadExecutor();
  private final MariaDbJobStore store = MariaDbJobStore.builder(SERVER.host(), SERVER.port(), database, SERVER.user())
      .password(SERVER.password()).option("sslMode", "disable").open();

  @AfterEach
  void close() {
    claimer.shutdownNow();
    store.close();
  }

  @Test
  void aClaimDoesNotWaitForAnotherClaimsOpenTransactionWhenNothingIsDue() throws Exception {
    Instant t0 = Instant.now();
    List<EnqueueResult> ids = store.enqueue(List.of(job("q1", t0), job("q2", t0)));
    Instant now = Instant.now();
    store.heartbeat(new WorkerRecord("w2", "w2", "host", 1, List.of("q2"), 1, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofHours(1)), 0, 0, 0, 0));
    try (Connection other = DriverManager.getConnection(SERVER.jdbcUrl(database), SERVER.user(), SERVER.password());
        Statement st = other.createStatement();
        Connection watcher = DriverManager.getConnection(SERVER.jdbcUrl(database), SERVER.user(),
            SERVER.password())) {
      other.setAutoCommit(false);
      st.executeUpdate("UPDATE spindle_jobs SET state = " + SqlJobRows.RUNNING + ", worker_id = 'w1', fence = fence + 1"
          + " WHERE id = " + ids.get(0).jobId());
      Future<List<JobInfo>> claim = claimer.submit(
          () -> store.claim(new ClaimRequest("w2", List.of("q2"), 1, Instant.now())).jobs());
      await().atMost(Duration.ofSeconds(30)).until(() -> claim.isDone() || lockWaits(watcher) > 0);
      int waits = lockWaits(watcher);
      other.rollback();
      assertThat(waits).as("claims waiting for the other transaction's locks").isZero();
      assertThat(claim.get(30, TimeUnit.SECONDS)).extracting(JobInfo::id).containsExactly(ids.get(1).jobId());
    }
  }

  private static NewJob job(String queue, Instant at) {
    return new NewJob("t.x", "{}", queue, 0, at, null, JobPolicy.defaults(), at, null);
  }

  /** Transactions of the test's database waiting for a row lock. */
  private int lockWaits(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM"
        + " information_schema.innodb_trx t JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id"
        + " WHERE t.trx_state = 'LOCK WAIT' AND p.db = '" + database + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
