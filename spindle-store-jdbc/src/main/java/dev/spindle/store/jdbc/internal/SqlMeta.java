package dev.spindle.store.jdbc.internal;

import dev.spindle.store.jdbc.JdbcConn;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The counters a store keeps in {@code spindle_meta ("key", value)} (the finish sequence, the floor
 * of job ids that deletions record), read and written inside the caller's transaction. The SQL is
 * the same for every database; where numbers must commit in order, {@link #lock} reads a counter
 * under its row lock ({@code FOR UPDATE}). Stateless.
 */
public final class SqlMeta {
  private static final String GET = "SELECT value FROM spindle_meta WHERE \"key\" = ?";

  private SqlMeta() {}

  /** The counter {@code key}, 0 if it has no row. */
  public static long get(JdbcConn c, String key) throws SQLException {
    return read(c.ps(GET), key);
  }

  /** The counter {@code key} under its row lock, held to the commit; 0 if it has no row. */
  public static long lock(JdbcConn c, String key) throws SQLException {
    return read(c.ps(GET + " FOR UPDATE"), key);
  }

  private static long read(PreparedStatement ps, String key) throws SQLException {
    ps.setString(1, key);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Sets the counter {@code key} (its row exists: the schema creates it). */
  public static void set(JdbcConn c, String key, long value) throws SQLException {
    PreparedStatement ps = c.ps("UPDATE spindle_meta SET value = ? WHERE \"key\" = ?");
    ps.setLong(1, value);
    ps.setString(2, key);
    ps.executeUpdate();
  }
}
