package dev.spindle.store.mariadb;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The store's clock: the MariaDB server's, so that every worker judges leases and due times on one
 * clock whatever its own says. Stateless.
 */
final class MariaDbClock {
  /** The server's time in microseconds since the epoch, independent of the session's time zone. */
  static final String NOW_MICROS = "CAST(UNIX_TIMESTAMP(SYSDATE(6)) * 1000000 AS SIGNED)";

  private MariaDbClock() {}

  /** Reads the server's time in microseconds since the epoch (one round trip). */
  static long micros(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + NOW_MICROS)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
