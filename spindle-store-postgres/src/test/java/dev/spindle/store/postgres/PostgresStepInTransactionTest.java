package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A durable step recorded in the application's transaction on PostgreSQL: it commits and rolls back
 * with the application's own write, leaves the caller's search path alone, is fenced like any record,
 * and refuses an auto-commit connection.
 */
class PostgresStepInTransactionTest {
  private static final PostgresServer PG = PostgresServer.shared();

  @Test
  void theRecordCommitsAndRollsBackWithTheApplicationsWrite() throws SQLException {
    try (PostgresJobStore store = SharedPostgres.open("step_tx", null); Connection app = connect()) {
      String orders = "app_orders_" + System.nanoTime();
      exec(app, "CREATE TABLE public." + orders + " (id text PRIMARY KEY)");
      JobInfo j = claimOne(store);
      app.setAutoCommit(false);

      exec(app, "INSERT INTO public." + orders + " VALUES ('o-1')");
      assertThat(store.stepInTransaction(app, j.id(), j.fence(), "w1", step("charge", j), DurableRules.defaults())
          .status()).isEqualTo(StepWrite.Status.APPLIED);
      app.rollback();
      assertThat(store.durable().orElseThrow().view(j.id()).orElseThrow().steps()).as("rolled back with it").isEmpty();
      assertThat(count(app, orders)).isZero();

      exec(app, "INSERT INTO public." + orders + " VALUES ('o-1')");
      assertThat(store.stepInTransaction(app, j.id(), j.fence(), "w1", step("charge", j), DurableRules.defaults())
          .status()).isEqualTo(StepWrite.Status.APPLIED);
      assertThat(searchPath(app)).as("the caller's search path is restored").doesNotContain("step_tx");
      app.commit();
      assertThat(count(app, orders)).isEqualTo(1);
      assertThat(store.durable().orElseThrow().view(j.id()).orElseThrow().steps()).extracting(StepRecord::resultJson)
          .containsExactly("\"paid\"");

      StepWrite again = store.stepInTransaction(app, j.id(), j.fence(), "w1", step("charge", j),
          DurableRules.defaults());
      assertThat(again.status()).isEqualTo(StepWrite.Status.EXISTS);
      assertThat(store.stepInTransaction(app, j.id(), j.fence() + 1, "w1", step("other", j), DurableRules.defaults())
          .status()).isEqualTo(StepWrite.Status.FENCED);
      app.commit();
    }
  }

  @Test
  void anAutoCommitConnectionIsRefused() throws SQLException {
    try (PostgresJobStore store = SharedPostgres.open("step_tx", null); Connection app = connect()) {
      JobInfo j = claimOne(store);
      assertThatThrownBy(() -> store.stepInTransaction(app, j.id(), j.fence(), "w1", step("charge", j),
          DurableRules.defaults())).isInstanceOf(IllegalStateException.class).hasMessageContaining("setAutoCommit");
      assertThat(store.durable().orElseThrow().view(j.id()).orElseThrow().steps()).isEmpty();
    }
  }

  private static JobInfo claimOne(PostgresJobStore store) {
    Instant now = store.storeTime();
    store.enqueue(List.of(new NewJob("t.tx", "{}", "q", 0, now, null, JobPolicy.defaults(), now)));
    return store.claim(new ClaimRequest("w1", List.of("q"), 1, store.storeTime())).jobs().get(0);
  }

  private static StepRecord step(String name, JobInfo j) {
    return new StepRecord(name, 0, 0, StepRecord.Kind.VALUE, "\"paid\"", j.fence(), j.attempt(), 1, Instant.EPOCH);
  }

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection(PG.jdbcUrl("postgres"), PG.user(), PG.password());
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static long count(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM public." + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String searchPath(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW search_path")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
