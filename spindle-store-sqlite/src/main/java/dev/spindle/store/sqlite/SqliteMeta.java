package dev.spindle.store.sqlite;

import dev.spindle.store.sqlite.internal.Db;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The store's counters in {@code spindle_meta} (the finish sequence, the floor of job ids that
 * deletions record), read and written inside the caller's transaction. Stateless.
 */
final class SqliteMeta {
  private SqliteMeta() {}

  /** The counter {@code key}, 0 if it has no row. */
  static long get(Db.Conn c, String key) throws SQLException {
    PreparedStatement ps = c.ps("SELECT value FROM spindle_meta WHERE key = ?");
    ps.setString(1, key);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Sets the counter {@code key} (its row exists: the schema creates it). */
  static void set(Db.Conn c, String key, long value) throws SQLException {
    PreparedStatement ps = c.ps("UPDATE spindle_meta SET value = ? WHERE key = ?");
    ps.setLong(1, value);
    ps.setString(2, key);
    ps.executeUpdate();
  }

  /** The highest job id in the jobs table, 0 if it is empty. */
  static long maxJobId(Db.Conn c) throws SQLException {
    try (ResultSet rs = c.ps("SELECT max(id) FROM spindle_jobs").executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }
}
