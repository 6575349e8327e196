package dev.spindle.store.postgres;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.testkit.postgres.PostgresServer;
import dev.spindle.testkit.store.StepInTransactionContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** {@link StepInTransactionContract} on PostgreSQL: the store in a schema of its own, the caller on the default one. */
class PostgresStepInTransactionTest extends StepInTransactionContract {
  private static final PostgresServer PG = PostgresServer.shared();

  @Override
  protected JobStore openStore() {
    return SharedPostgres.open("step_tx", null);
  }

  @Override
  protected Connection connect(JobStore store) throws SQLException {
    return DriverManager.getConnection(PG.jdbcUrl("postgres"), PG.user(), PG.password());
  }

  @Override
  protected StepWrite stepInTransaction(JobStore store, Connection app, String jobId, long fence, String workerId,
      StepRecord step, DurableRules rules) {
    return ((PostgresJobStore) store).stepInTransaction(app, jobId, fence, workerId, step, rules);
  }

  @Override
  protected String sessionSetting(Connection app) throws SQLException {
    try (Statement st = app.createStatement(); ResultSet rs = st.executeQuery("SHOW search_path")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
