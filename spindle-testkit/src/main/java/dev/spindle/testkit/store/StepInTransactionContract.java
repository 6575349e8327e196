package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepWrite;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A durable step recorded in the application's own transaction on a server database: it commits and
 * rolls back with the application's write, leaves the caller's session settings as they were, is
 * fenced like any record, and refuses an auto-commit connection. A database's test subclasses this
 * with its store, a plain connection to the same database, and the step call.
 */
public abstract class StepInTransactionContract {
  /** A new store on a database of its own. */
  protected abstract JobStore openStore();

  /** A plain connection (auto-commit on) to {@code store}'s database, as an application holds one. */
  protected abstract Connection connect(JobStore store) throws SQLException;

  /** The store's {@code stepInTransaction} on {@code app}. */
  protected abstract StepWrite stepInTransaction(JobStore store, Connection app, String jobId, long fence,
      String workerId, StepRecord step, DurableRules rules);

  /** The session setting the store changes around its statements ({@code search_path}, {@code sql_mode}). */
  protected abstract String sessionSetting(Connection app) throws SQLException;

  @Test
  void theRecordCommitsAndRollsBackWithTheApplicationsWrite() throws SQLException {
    try (JobStore store = openStore(); Connection app = connect(store)) {
      String orders = "app_orders_" + System.nanoTime();
      exec(app, "CREATE TABLE " + orders + " (id varchar(64) PRIMARY KEY)");
      String setting = sessionSetting(app);
      JobInfo j = claimOne(store);
      app.setAutoCommit(false);

      exec(app, "INSERT INTO " + orders + " VALUES ('o-1')");
      assertThat(record(store, app, j, j.fence(), "charge")).isEqualTo(StepWrite.Status.APPLIED);
      app.rollback();
      assertThat(steps(store, j)).as("rolled back with it").isEmpty();
      assertThat(count(app, orders)).isZero();

      exec(app, "INSERT INTO " + orders + " VALUES ('o-1')");
      assertThat(record(store, app, j, j.fence(), "charge")).isEqualTo(StepWrite.Status.APPLIED);
      assertThat(sessionSetting(app)).as("the caller's session setting is restored").isEqualTo(setting);
      app.commit();
      assertThat(count(app, orders)).isEqualTo(1);
      assertThat(steps(store, j)).extracting(StepRecord::resultJson).containsExactly("\"paid\"");

      assertThat(record(store, app, j, j.fence(), "charge")).isEqualTo(StepWrite.Status.EXISTS);
      assertThat(record(store, app, j, j.fence() + 1, "other")).isEqualTo(StepWrite.Status.FENCED);
      app.commit();
    }
  }

  @Test
  void anAutoCommitConnectionIsRefused() throws SQLException {
    try (JobStore store = openStore(); Connection app = connect(store)) {
      JobInfo j = claimOne(store);
      assertThatThrownBy(() -> record(store, app, j, j.fence(), "charge")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("setAutoCommit");
      assertThat(steps(store, j)).isEmpty();
    }
  }

  private StepWrite.Status record(JobStore store, Connection app, JobInfo j, long fence, String name) {
    StepRecord step = new StepRecord(name, 0, 0, StepRecord.Kind.VALUE, "\"paid\"", j.fence(), j.attempt(), 1,
        Instant.EPOCH);
    return stepInTransaction(store, app, j.id(), fence, "w1", step, DurableRules.defaults()).status();
  }

  private static List<StepRecord> steps(JobStore store, JobInfo j) {
    return store.durable().orElseThrow().view(j.id()).orElseThrow().steps();
  }

  private static JobInfo claimOne(JobStore store) {
    Instant now = store.storeTime();
    store.enqueue(List.of(new NewJob("t.tx", "{}", "q", 0, now, null, JobPolicy.defaults(), now)));
    return store.claim(new ClaimRequest("w1", List.of("q"), 1, store.storeTime())).jobs().get(0);
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static long count(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
