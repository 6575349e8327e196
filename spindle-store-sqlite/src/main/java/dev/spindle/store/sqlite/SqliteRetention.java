package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.JobRows;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;

/**
 * Retention for {@link SqliteJobStore}: deletes expired finished jobs, then the oldest beyond the
 * kept counts, a bounded batch per call, and statistics older than {@link MinuteStats#KEPT}.
 * Thread-safe.
 */
final class SqliteRetention {
  private final Db db;
  private final Clock clock;

  SqliteRetention(Db db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  int purgeExpired(Instant callerNow, RetentionLimits limits) {
    long t = SqliteJobStore.micros(clock.instant());
    long[] work = db.read("check retention", c -> {
      PreparedStatement ex = c.ps("SELECT count(*) FROM (SELECT 1 FROM spindle_jobs WHERE " + JobRows.IS_TERMINAL
          + " AND"
          + " expires_at <= ? LIMIT 1)");
      ex.setLong(1, t);
      long expired;
      try (ResultSet rs = ex.executeQuery()) {
        rs.next();
        expired = rs.getLong(1);
      }
      return new long[] {expired, count(c, JobRows.IS_SUCCESS_LIKE), count(c, JobRows.IS_FAILURE_LIKE)};
    });
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
    long overOk = work[1] - limits.maxSucceeded();
    long overFailed = work[2] - limits.maxFailed();
    if (work[0] == 0 && overOk <= 0 && overFailed <= 0) {
      return 0;
    }
    return db.write("apply retention", c -> {
      SqliteJobStore.raiseIdFloor(c);
      int left = limits.batch();
      PreparedStatement del = c.ps("DELETE FROM spindle_jobs WHERE id IN (SELECT id FROM spindle_jobs WHERE"
          + " " + JobRows.IS_TERMINAL + " AND expires_at <= ? ORDER BY expires_at LIMIT ?)");
      del.setLong(1, t);
      del.setInt(2, left);
      int deleted = del.executeUpdate();
      left -= deleted;
      long ok = count(c, JobRows.IS_SUCCESS_LIKE) - limits.maxSucceeded();
      if (left > 0 && ok > 0) {
        int n = deleteOldest(c, JobRows.IS_SUCCESS_LIKE, (int) Math.min(ok, left));
        deleted += n;
        left -= n;
      }
      long bad = count(c, JobRows.IS_FAILURE_LIKE) - limits.maxFailed();
      if (left > 0 && bad > 0) {
        deleted += deleteOldest(c, JobRows.IS_FAILURE_LIKE, (int) Math.min(bad, left));
      }
      return deleted;
    });
  }

  private static long count(Db.Conn c, String where) throws SQLException {
    try (ResultSet rs = c.ps("SELECT count(*) FROM spindle_jobs WHERE " + where).executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static int deleteOldest(Db.Conn c, String where, int n) throws SQLException {
    PreparedStatement ps = c.ps("DELETE FROM spindle_jobs WHERE id IN (SELECT id FROM spindle_jobs WHERE " + where
        + " ORDER BY finish_seq LIMIT ?)");
    ps.setInt(1, n);
    return ps.executeUpdate();
  }
}
