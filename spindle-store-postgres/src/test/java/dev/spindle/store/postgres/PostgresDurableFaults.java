package dev.spindle.store.postgres;

import dev.spindle.testkit.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Locations and lock probes of the durable process-level tests on the shared PostgreSQL server
 * ({@link PostgresDurableKillTest}, {@link PostgresDurableStopTest}). Stateless.
 */
final class PostgresDurableFaults {
  /** PostgreSQL's SQLSTATE lock_not_available, as {@code NOWAIT} reports a held lock. */
  private static final String LOCK_NOT_AVAILABLE = "55P03";

  private PostgresDurableFaults() {}

  /**
   * A store location in a fresh schema {@code prefix_N}; the password is written to a file in {@code
   * dir} that the location names, so it is on no command line.
   */
  static String location(Path dir, String prefix) throws java.io.IOException {
    PostgresServer pg = PostgresServer.shared();
    Path pw = Files.writeString(dir.resolve("pg-password"), pg.password() + "\n");
    return pg.location() + "&schema=" + PostgresServer.newSchema(prefix) + "&passwordFile=" + pw;
  }

  /**
   * Whether worker {@code workerId}'s row and the job rows it holds can be locked at once: false
   * while a transaction of a frozen process holds one of them (the reclaim of its jobs would wait
   * for it).
   */
  static boolean noLockHeld(String location, String workerId) throws SQLException {
    PostgresServer pg = PostgresServer.shared();
    Properties props = new Properties();
    props.setProperty("user", pg.user());
    props.setProperty("password", pg.password());
    String schema = location.replaceAll(".*[?&]schema=([^&]+).*", "$1");
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), props)) {
      try (Statement st = c.createStatement()) {
        st.execute("SET search_path TO " + schema);
      }
      c.setAutoCommit(false);
      try {
        lockNoWait(c, "SELECT 1 FROM spindle_workers WHERE id = ? FOR UPDATE NOWAIT", workerId);
        lockNoWait(c, "SELECT 1 FROM spindle_jobs WHERE worker_id = ? FOR UPDATE NOWAIT", workerId);
        return true;
      } catch (SQLException e) {
        if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
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
