package dev.spindle.store.sqlite;

import dev.spindle.testkit.store.DurableStopContract;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A worker process frozen with {@code kill -STOP} past its lease, on SQLite. */
class SqliteDurableStopTest extends DurableStopContract {
  private static final String PREFIX = "sqlite:";

  @Override
  protected String location(Path dir) {
    return PREFIX + dir.resolve("durable-stop.db");
  }

  /**
   * Whether the database's write lock is free: a process frozen inside a write transaction (its
   * heartbeat writes too) would keep the database locked for everyone.
   */
  @Override
  protected boolean frozenOutsideAWrite(String location, String workerId) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + location.substring(PREFIX.length()));
         Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = 2000");
      st.execute("BEGIN IMMEDIATE"); // fails while the frozen process holds the write lock
      st.execute("ROLLBACK");
      return true;
    } catch (SQLException busy) {
      if (busy.getMessage() != null && busy.getMessage().contains("SQLITE_BUSY")) {
        return false;
      }
      throw busy;
    }
  }
}
