package dev.spindle.store.jdbc.internal;

import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * A job looked up in a store's history of finished jobs, for operations that lock a job's row in
 * {@code spindle_jobs} and find none: a store whose {@link JdbcDialect#allJobs} is more than that
 * table (PostgreSQL moves finished jobs to its history, successes as they complete) may still
 * hold the job there. History rows are finished and never change, so they are read unlocked.
 * Stateless.
 */
final class SqlHistory {
  private SqlHistory() {}

  /**
   * The state code and fence of job {@code id} in the store's history, in the caller's
   * transaction; null if the store keeps no history or has no such job there.
   */
  static long @Nullable [] stateAndFence(JdbcConn c, JdbcDialect dialect, long id) throws SQLException {
    String all = dialect.allJobs();
    if (all.equals("spindle_jobs")) {
      return null; // no history: the hot table was the only place to look
    }
    PreparedStatement ps = c.ps("SELECT state, fence FROM " + all + " WHERE id = ?");
    ps.setLong(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? new long[] {rs.getInt(1), rs.getLong(2)} : null;
    }
  }
}
