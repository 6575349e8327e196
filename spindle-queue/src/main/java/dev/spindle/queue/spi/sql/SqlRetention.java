package dev.spindle.queue.spi.sql;

import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.SqlJobRows;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;

/**
 * Retention for a SQL store: deletes expired finished jobs, then the oldest beyond the
 * kept counts, a bounded batch per call, and statistics older than {@link MinuteStats#KEPT}.
 * Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlRetention<C extends SqlConn> {
  private final SqlDb<C> db;
  private final SqlDialect dialect;
  private final Clock clock;

  /** The retention of a store on {@code db}. */
  public SqlRetention(SqlDb<C> db, SqlDialect dialect, Clock clock) {
    this.db = db;
    this.dialect = dialect;
    this.clock = clock;
  }
  /** {@link dev.spindle.queue.spi.JobStore#purgeExpired}. */
  public int purgeExpired(Instant callerNow, RetentionLimits limits) {
    long t = SqlJobRows.micros(clock.instant());
    long[] work = db.read("check retention", c -> {
      PreparedStatement ex = c.ps("SELECT count(*) FROM (SELECT 1 FROM spindle_jobs WHERE " + SqlJobRows.IS_TERMINAL
          + " AND"
          + " expires_at <= ? LIMIT 1) AS x");
      ex.setLong(1, t);
      long expired;
      try (ResultSet rs = ex.executeQuery()) {
        rs.next();
        expired = rs.getLong(1);
      }
      return new long[] {expired, count(c, SqlJobRows.IS_SUCCESS_LIKE), count(c, SqlJobRows.IS_FAILURE_LIKE)};
    });
    purgeStatistics();
    long overOk = work[1] - limits.maxSucceeded();
    long overFailed = work[2] - limits.maxFailed();
    if (work[0] == 0 && overOk <= 0 && overFailed <= 0) {
      return 0;
    }
    return db.write("apply retention", c -> {
      dialect.beforeDeletingJobs(c);
      int left = limits.batch();
      PreparedStatement del = c.ps("DELETE FROM spindle_jobs WHERE id IN (SELECT id FROM spindle_jobs WHERE"
          + " " + SqlJobRows.IS_TERMINAL + " AND expires_at <= ? ORDER BY expires_at LIMIT ?)");
      del.setLong(1, t);
      del.setInt(2, left);
      int deleted = del.executeUpdate();
      left -= deleted;
      long ok = count(c, SqlJobRows.IS_SUCCESS_LIKE) - limits.maxSucceeded();
      if (left > 0 && ok > 0) {
        int n = deleteOldest(c, SqlJobRows.IS_SUCCESS_LIKE, (int) Math.min(ok, left));
        deleted += n;
        left -= n;
      }
      long bad = count(c, SqlJobRows.IS_FAILURE_LIKE) - limits.maxFailed();
      if (left > 0 && bad > 0) {
        deleted += deleteOldest(c, SqlJobRows.IS_FAILURE_LIKE, (int) Math.min(bad, left));
      }
      return deleted;
    });
  }

  /** Deletes statistics older than {@link MinuteStats#KEPT} (a read first: no write when there are none). */
  public void purgeStatistics() {
    long keptFrom = MinuteStats.minuteOf(clock.instant()) - MinuteStats.KEPT.toSeconds();
    boolean oldStats = db.read("check statistics retention", c -> {
      PreparedStatement ps = c.ps("SELECT 1 FROM spindle_stats WHERE minute < ? LIMIT 1");
      ps.setLong(1, keptFrom);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    });
    if (oldStats) {
      db.write("apply statistics retention", c -> {
        PreparedStatement ps = c.ps("DELETE FROM spindle_stats WHERE minute < ?");
        ps.setLong(1, keptFrom);
        return ps.executeUpdate();
      });
    }
  }

  private static long count(SqlConn c, String where) throws SQLException {
    try (ResultSet rs = c.ps("SELECT count(*) FROM spindle_jobs WHERE " + where).executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static int deleteOldest(SqlConn c, String where, int n) throws SQLException {
    PreparedStatement ps = c.ps("DELETE FROM spindle_jobs WHERE id IN (SELECT id FROM spindle_jobs WHERE " + where
        + " ORDER BY finish_seq LIMIT ?)");
    ps.setInt(1, n);
    return ps.executeUpdate();
  }
}
