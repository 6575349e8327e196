package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobRules;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Retention for a SQL store: deletes expired finished jobs, then the oldest beyond the
 * kept counts, a bounded batch per call, and statistics older than {@link MinuteStats#KEPT}.
 * A finished job that a WAITING job still depends on is kept (past its expiry, and beyond the
 * limits) until that one is released, so a workflow's jobs stay visible while it runs (the edges
 * holding its end for the dependent's input outlive the job since schema versions 8 of SQLite and
 * 9 of PostgreSQL, whose delete triggers dropped them before). Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlRetention<C extends JdbcConn> {
  private final SqlDb<C> db;
  private final JdbcDialect dialect;
  private final Clock clock;

  /** The retention of a store on {@code db}. */
  public SqlRetention(SqlDb<C> db, JdbcDialect dialect, Clock clock) {
    this.db = db;
    this.dialect = dialect;
    this.clock = clock;
  }
  /** {@link dev.spindle.queue.spi.JobStore#purgeExpired}. */
  public int purgeExpired(Instant callerNow, RetentionLimits limits) {
    long t = SqlJobRows.micros(clock.instant());
    long[] work = db.read("check retention", c -> {
      PreparedStatement ex = c.ps("SELECT count(*) FROM (SELECT 1 FROM spindle_jobs x WHERE x." + SqlJobRows.IS_TERMINAL
          + " AND x.expires_at <= ? AND NOT " + awaited("x") + " LIMIT 1) AS e");
      ex.setLong(1, t);
      long expired;
      try (ResultSet rs = ex.executeQuery()) {
        rs.next();
        expired = rs.getLong(1);
      }
      boolean over = false;
      for (JobRules.Kept kept : JobRules.Kept.values()) {
        over |= count(c, SqlRules.keptAs(kept)) > kept.limit(limits);
      }
      return new long[] {expired, over ? 1 : 0};
    });
    purgeStatistics();
    if (work[0] == 0 && work[1] == 0) {
      return 0;
    }
    int purged = db.write("apply retention", c -> {
      dialect.beforeDeletingJobs(c);
      return deleteExpiredAndBeyond(c, t, limits, List.of("spindle_jobs"), this::deleteBeyondCount);
    });
    if (purged > 0 && !dialect.deletesDependentRows()) {
      db.write("delete the purged jobs' dependencies", this::deleteOrphans);
    }
    return purged;
  }

  /**
   * Deletes the dependency and wait rows of deleted jobs, where the database does not delete them
   * with their job ({@link JdbcDialect#deletesDependentRows}); how many.
   */
  private int deleteOrphans(JdbcConn c) throws SQLException {
    return c.ps("DELETE FROM spindle_deps WHERE NOT EXISTS (SELECT 1 FROM spindle_jobs j WHERE j.id ="
        + " spindle_deps.child)").executeUpdate()
        + c.ps("DELETE FROM spindle_waits WHERE NOT EXISTS (SELECT 1 FROM spindle_jobs j WHERE j.id ="
        + " spindle_waits.id)").executeUpdate();
  }

  /** How a store deletes the oldest finished jobs of a kind beyond the newest of them it keeps. */
  @FunctionalInterface
  public interface BeyondLimit<C> {
    /**
     * Deletes up to {@code n} of the oldest finished jobs matching {@code kind} (a {@link
     * SqlRules#keptAs} condition) beyond the newest {@code max}, in the caller's transaction.
     *
     * @return how many were deleted
     */
    int delete(C c, String kind, long max, int n) throws SQLException;
  }

  /**
   * Deletes up to {@link RetentionLimits#batch()} jobs in the caller's transaction: the expired jobs
   * of each of {@code tables} ({@link #deleteExpired}), then, in what is left of the batch, the
   * jobs beyond each kept count ({@code beyond}).
   *
   * @param t the time (us) at or before which an expiry has passed
   * @return how many were deleted
   */
  public int deleteExpiredAndBeyond(C c, long t, RetentionLimits limits, List<String> tables, BeyondLimit<C> beyond)
      throws SQLException {
    int left = limits.batch();
    for (String table : tables) {
      if (left > 0) {
        left -= deleteExpired(c, table, t, left);
      }
    }
    for (JobRules.Kept kept : JobRules.Kept.values()) {
      if (left > 0) {
        left -= beyond.delete(c, SqlRules.keptAs(kept), kept.limit(limits), left);
      }
    }
    return limits.batch() - left;
  }

  /**
   * Deletes up to {@code n} of the finished jobs of {@code table} expired at {@code t} (us), the
   * earliest first, except those a waiting job still depends on ({@link #awaited}).
   *
   * @return how many were deleted
   */
  public int deleteExpired(C c, String table, long t, int n) throws SQLException {
    PreparedStatement del = c.ps("DELETE FROM " + table + " WHERE id IN (" + dialect.limitedIds("SELECT x.id FROM "
        + table + " x WHERE x." + SqlJobRows.IS_TERMINAL + " AND x.expires_at <= ? AND NOT " + awaited("x")
        + " ORDER BY x.expires_at LIMIT ?") + ")");
    del.setLong(1, t);
    del.setInt(2, n);
    return del.executeUpdate();
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

  private static long count(JdbcConn c, String where) throws SQLException {
    try (ResultSet rs = c.ps("SELECT count(*) FROM spindle_jobs WHERE " + where).executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Deletes up to {@code n} of the oldest jobs matching {@code where} beyond the newest {@code max}
   * of them (counted first); those a waiting job still needs are skipped (and not replaced by newer
   * ones).
   */
  private int deleteBeyondCount(JdbcConn c, String where, long max, int n) throws SQLException {
    long over = count(c, where) - max;
    if (over <= 0) {
      return 0;
    }
    PreparedStatement ps = c.ps("DELETE FROM spindle_jobs WHERE id IN (" + dialect.limitedIds("SELECT x.id FROM"
        + " spindle_jobs x WHERE x." + where + " AND x.finish_seq <= (SELECT finish_seq FROM spindle_jobs WHERE " + where
        + " ORDER BY finish_seq DESC LIMIT 1 OFFSET ?) AND NOT " + awaited("x") + " ORDER BY x.finish_seq LIMIT ?")
        + ")");
    ps.setLong(1, max);
    ps.setInt(2, (int) Math.min(over, n));
    return ps.executeUpdate();
  }

  /**
   * SQL condition: the job {@code <alias>.id} is a dependency a WAITING job still waits for. Used by
   * every SQL store's retention to keep such jobs until the dependent is released.
   *
   * @param alias the alias of {@code spindle_jobs} (or of a view over the jobs) in the caller's query
   */
  public static String awaited(String alias) {
    return "EXISTS (SELECT 1 FROM spindle_deps d JOIN spindle_jobs w ON w.id = d.child WHERE d.parent = " + alias
        + ".id AND w.state = " + SqlJobRows.WAITING + ")";
  }
}
