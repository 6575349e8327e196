package dev.spindle.store.mariadb;

import dev.spindle.testkit.mariadb.MariaDbServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Locations and lock probes of the durable process-level tests on the shared MariaDB server
 * ({@link MariaDbDurableKillTest}, {@link MariaDbDurableStopTest}). Stateless.
 */
final class MariaDbDurableFaults {
  /** MariaDB's error for a lock {@code NOWAIT} could not take (ER_LOCK_WAIT_TIMEOUT). */
  private static final int LOCK_WAIT_TIMEOUT = 1205;

  private MariaDbDurableFaults() {}

  /**
   * A store location in a fresh database {@code prefix_N}; the password is written to a file in
   * {@code dir} that the location names, so it is on no command line.
   */
  static String location(Path dir, String prefix) throws java.io.IOException {
    MariaDbServer db = MariaDbServer.shared();
    Path pw = Files.writeString(dir.resolve("mariadb-password"), db.password() + "\n");
    return "mariadb://" + db.host() + ":" + db.port() + "/" + db.newDatabase(prefix) + "?user=" + db.user()
        + "&sslMode=disable&passwordFile=" + pw;
  }

  /**
   * Whether worker {@code workerId}'s row and the job rows it holds can be locked at once: false
   * while a transaction of a frozen process holds one of them (the reclaim of its jobs would wait
   * for it).
   */
  static boolean noLockHeld(String location, String workerId) throws SQLException {
    MariaDbServer server = MariaDbServer.shared();
    String database = location.replaceAll("^mariadb://[^/]+/([^?]+)\\?.*$", "$1");
    try (Connection c = DriverManager.getConnection(server.jdbcUrl(database), server.user(), server.password())) {
      c.setAutoCommit(false);
      try {
        lockNoWait(c, "SELECT 1 FROM spindle_workers WHERE id = ? FOR UPDATE NOWAIT", workerId);
        lockNoWait(c, "SELECT 1 FROM spindle_jobs WHERE worker_id = ? FOR UPDATE NOWAIT", workerId);
        return true;
      } catch (SQLException e) {
        if (e.getErrorCode() == LOCK_WAIT_TIMEOUT) {
          return false;
        }
        throw e;
      } finally {
        c.rollback();
      }
    }
  }

  private static void lockNoWait(Connection c, String sql, String workerId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, workerId);
      ps.executeQuery().close();
    }
  }
}
