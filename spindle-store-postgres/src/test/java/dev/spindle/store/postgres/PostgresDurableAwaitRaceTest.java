package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.postgres.PostgresServer;
import dev.spindle.testkit.store.DurableAwaitRaceContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * The race of a job's end with a suspension on it and a new dependent, on a real PostgreSQL server:
 * a shared row lock is granted while the end's UPDATE waits for the row, so the end's statement
 * began before the edges it must find were committed.
 */
class PostgresDurableAwaitRaceTest extends DurableAwaitRaceContract {
  private String schema = "";

  @Override
  protected StoreBackend openStore() {
    PostgresJobStore s = SharedPostgres.open("await_race", clock);
    schema = Objects.requireNonNull(s.schema());
    return s;
  }

  @Override
  protected Connection connect() throws SQLException {
    PostgresServer pg = PostgresServer.shared();
    Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.user(), pg.password());
    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    try (Statement st = c.createStatement()) {
      st.execute("SET search_path TO " + schema);
    }
    return c;
  }

  @Override
  protected String forShare() {
    return " FOR SHARE";
  }

  @Override
  protected int lockWaits(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity"
        + " WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Override
  protected boolean sharedLocksPassAWaitingWriter() {
    return true;
  }
}
