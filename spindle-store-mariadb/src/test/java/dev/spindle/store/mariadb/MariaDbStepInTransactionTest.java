package dev.spindle.store.mariadb;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.testkit.mariadb.MariaDbServer;
import dev.spindle.testkit.store.StepInTransactionContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** {@link StepInTransactionContract} on MariaDB: the caller's {@code sql_mode} is its own again after each call. */
class MariaDbStepInTransactionTest extends StepInTransactionContract {
  private String database = "";

  @Override
  protected JobStore openStore() {
    MariaDbServer server = MariaDbServer.shared();
    database = server.newDatabase("step_tx");
    return MariaDbJobStore.builder(server.host(), server.port(), database, server.user()).password(server.password())
        .option("sslMode", "disable").open();
  }

  @Override
  protected Connection connect(JobStore store) throws SQLException {
    MariaDbServer server = MariaDbServer.shared();
    return DriverManager.getConnection(server.jdbcUrl(database), server.user(), server.password());
  }

  @Override
  protected StepWrite stepInTransaction(JobStore store, Connection app, String jobId, long fence, String workerId,
      StepRecord step, DurableRules rules) {
    return ((MariaDbJobStore) store).stepInTransaction(app, jobId, fence, workerId, step, rules);
  }

  @Override
  protected String sessionSetting(Connection app) throws SQLException {
    try (Statement st = app.createStatement(); ResultSet rs = st.executeQuery("SELECT @@SESSION.sql_mode")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
