package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.mariadb.MariaDbServer;
import dev.spindle.testkit.store.DurableAwaitRaceContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The race of a job's end with a suspension on it and a new dependent, on a real MariaDB server
 * (InnoDB at READ COMMITTED, as the store runs).
 */
class MariaDbDurableAwaitRaceTest extends DurableAwaitRaceContract {
  private String database = "";

  @Override
  protected StoreBackend openStore() {
    MariaDbServer db = MariaDbServer.shared();
    database = db.newDatabase("await_race");
    return MariaDbJobStore.builder(db.host(), db.port(), database, db.user()).password(db.password())
        .option("sslMode", "disable").clock(clock).open();
  }

  @Override
  protected Connection connect() throws SQLException {
    MariaDbServer db = MariaDbServer.shared();
    Connection c = DriverManager.getConnection(db.jdbcUrl(database), db.user(), db.password());
    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    return c;
  }

  @Override
  protected String forShare() {
    return " LOCK IN SHARE MODE";
  }

  @Override
  protected int lockWaits(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Override
  protected boolean sharedLocksPassAWaitingWriter() {
    return false;
  }
}
