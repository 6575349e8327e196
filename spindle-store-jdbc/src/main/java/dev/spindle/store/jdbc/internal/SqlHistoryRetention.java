package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.store.jdbc.JdbcDialect;
import dev.spindle.store.jdbc.JdbcHistory;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Retention of a store with a history of finished jobs in day partitions ({@link JdbcHistory}), per
 * call in this order:
 *
 * <ol>
 *   <li>Expiry: history partitions whose whole day has passed are dropped (no dead rows, no
 *       vacuum); expired jobs in the hot table and today's partition are deleted row by row, except
 *       those a waiting dependent still needs.
 *   <li>Limits: beyond {@link RetentionLimits}' counts (over both tables) the oldest finished jobs
 *       go, a batch per call. Expiry and limits delete at most {@link RetentionLimits#batch()} jobs.
 *   <li>Archive, once those found less than a full batch: finished jobs older than {@code
 *       archiveAfter} and not in a workflow move from {@code spindle_jobs} to {@code
 *       spindle_history} ({@link SqlHistoryPartitions}), a batch per transaction, so claims never
 *       walk past them. With {@code archiveAfter} 0 successes move as they complete, this moves the
 *       rest, and each call creates the partitions the next day's successes need.
 * </ol>
 *
 * <p>Concurrent processes do not collide: candidates are locked with {@code SKIP LOCKED}, partitions
 * are created and dropped under the dialect's lock. What this process remembers between calls
 * expires on the store's clock or the monotonic one, whichever is first ({@link When}), so tests can
 * move it and a store clock stepped back does not stretch it. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlHistoryRetention<C extends SqlConn> {
  /** The most archive batches one call moves. */
  private static final int ARCHIVE_ROUNDS = 50;
  /** The finished jobs {@code j} the archive moves, not in a workflow (parameters: finished at or before, expiring after). */
  private static final String ARCHIVABLE = "j." + SqlJobRows.IS_TERMINAL + " AND j.finished_at <= ? AND j.expires_at > ?"
      + " AND NOT EXISTS (SELECT 1 FROM spindle_deps d WHERE d.parent = j.id)"
      + " AND NOT EXISTS (SELECT 1 FROM spindle_deps d WHERE d.child = j.id)";
  /** The tables retention deletes from. */
  private static final List<String> TABLES = List.of("spindle_jobs", "spindle_history");
  /** How long a finish number read for a retention limit is used before it is read again. */
  private static final Duration CUTOFF_READ_EVERY = Duration.ofMinutes(1);

  /**
   * How long deletions beyond a limit go on from where the last ended before starting from the
   * oldest again (catching jobs a dependent waited for). A walk from the oldest visits every job
   * deleted since the last vacuum: once a minute it cost up to 1 s per process (97 us per job).
   */
  private static final Duration POSITION_RESET_EVERY = Duration.ofMinutes(10);

  /** A moment on the store's clock ({@code at}) and the monotonic one ({@code nanos}). */
  public record When(Instant at, long nanos) {
    /** Whether {@code interval} has passed between this moment and {@code now} on either clock. */
    public boolean passed(Duration interval, When now) {
      return now.nanos() - nanos >= interval.toNanos() || !now.at().isBefore(at.plus(interval));
    }
  }

  /** A finish number at or below which jobs were beyond limit {@code max} when read. */
  private record Cutoff(long max, long seq, When readAt) {}

  /** The highest finish number deleted beyond a limit, where the next deletion starts until {@link #POSITION_RESET_EVERY}. */
  private record Position(long upTo, When since) {}

  /** By kind of job (its {@link SqlRules#keptAs} condition). */
  private final Map<String, Cutoff> cutoffs = new ConcurrentHashMap<>();

  /** By kind of job, as {@link #cutoffs}. */
  private final Map<String, Position> positions = new ConcurrentHashMap<>();

  private final SqlDb<C> db;
  private final JdbcDialect dialect;
  private final JdbcHistory sql;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final @Nullable Duration archiveAfter;
  private final SqlRetention<C> shared;
  private final SqlHistoryPartitions<C> partitions;
  private final SqlDb.Work<C, Long> settled;

  /**
   * @param dialect a dialect with a {@link JdbcDialect#history}
   * @param archiveAfter how long a finished job stays in the hot table; null: never archived
   * @param partitions the history's day partitions
   * @param settled reads the finish number up to which every finished job is visible: deletions
   *     beyond a limit stop there
   * @param nanoTime the monotonic clock, in nanoseconds ({@code System::nanoTime})
   * @throws java.util.NoSuchElementException if the dialect keeps no history
   */
  public SqlHistoryRetention(SqlDb<C> db, JdbcDialect dialect, Clock clock, @Nullable Duration archiveAfter,
      SqlHistoryPartitions<C> partitions, SqlDb.Work<C, Long> settled, LongSupplier nanoTime) {
    this.db = db;
    this.dialect = dialect;
    this.sql = dialect.history().orElseThrow();
    this.settled = settled;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.archiveAfter = archiveAfter;
    this.partitions = partitions;
    this.shared = new SqlRetention<>(db, dialect, clock);
  }

  /** {@link dev.spindle.queue.spi.JobStore#purgeExpired}: the jobs deleted (archived ones are not counted). */
  public int purgeExpired(Instant callerNow, RetentionLimits limits) {
    shared.purgeStatistics();
    long t = SqlJobRows.micros(clock.instant());
    int dropped = dropPartitions(t);
    if (Duration.ZERO.equals(archiveAfter)) {
      partitions.prepare(); // the days that successes moving straight to the history need next
    }
    int deleted = deleteExpiredAndBeyondLimits(t, limits);
    // archive only what retention keeps: while expiry or a limit finds a full batch the oldest jobs
    // are about to go, and moving them first writes each twice (up to 250,000 a call in a soak)
    if (archiveAfter != null && deleted < limits.batch()) {
      for (int i = 0; i < ARCHIVE_ROUNDS && archive(limits.batch()) >= limits.batch(); i++) {
        // full batch: more may be waiting
      }
    }
    return dropped + deleted;
  }

  /** Deletes up to a batch of expired jobs and of jobs beyond the count limits (expired first). */
  private int deleteExpiredAndBeyondLimits(long t, RetentionLimits limits) {
    return db.write("apply retention", c -> {
      try (ResultSet rs = c.ps(sql.tuneDeletes()).executeQuery()) {
        rs.next();
      }
      return shared.deleteExpiredAndBeyond(c, t, limits, TABLES, this::deleteBeyondLimit);
    });
  }

  /**
   * Deletes up to {@code n} of the oldest finished jobs of {@code kind} beyond the newest {@code
   * max}. The finish number of the newest job beyond them is kept for up to {@link
   * #CUTOFF_READ_EVERY} while calls find {@code n} jobs at or below it (counting before every batch
   * cost 13.6 µs per job, now 1.0 µs). Concurrent processes delete the same jobs (those at or below
   * a finish number), so together they delete no more than one would.
   *
   * @return the jobs deleted
   */
  private int deleteBeyondLimit(C c, String kind, long max, int n) throws SQLException {
    When now = new When(clock.instant(), nanoTime.getAsLong());
    // not past a finish number whose transaction may still commit: the position would pass its job
    long visible = settled.run(c);
    Cutoff kept = cutoffs.get(kind);
    int deleted = 0;
    if (kept != null && kept.max() == max && !kept.readAt().passed(CUTOFF_READ_EVERY, now)) {
      deleted = deleteOldest(c, kind, Math.min(kept.seq(), visible), n, now);
      if (deleted == n) {
        return deleted;
      }
    }
    // none kept, or none left at or below it: read it anew
    PreparedStatement ps = c.ps("SELECT finish_seq FROM " + dialect.allJobs() + " WHERE " + kind
        + " ORDER BY finish_seq DESC OFFSET ? LIMIT 1");
    ps.setLong(1, max);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        cutoffs.remove(kind);
        return deleted; // not beyond the limit
      }
      Cutoff read = new Cutoff(max, rs.getLong(1), now);
      int more = deleteOldest(c, kind, Math.min(read.seq(), visible), n - deleted, now);
      if (more == n - deleted) {
        cutoffs.put(kind, read);
      } else {
        cutoffs.remove(kind); // all of them went: read anew next time
      }
      return deleted + more;
    }
  }

  /**
   * Deletes up to {@code n} of the oldest jobs of {@code kind} with a finish number at or below
   * {@code cutoff}, keeping those a waiting dependent needs: the first and n-th finish numbers are
   * read, then each table deletes that range along its finish-number index ({@code id = ANY(...)}
   * looked each id up in every partition: 31 us per job).
   *
   * <p>The read starts after this process's {@link Position} of that kind (from the oldest it walked
   * every entry deleted since the last vacuum: 44 us per job). The caller caps {@code cutoff} at the
   * settled finish number, so no job below the position can become visible after it passed.
   */
  private int deleteOldest(C c, String kind, long cutoff, int n, When now) throws SQLException {
    Position at = positions.get(kind);
    long after = 0;
    When since = now;
    if (at != null && !at.since().passed(POSITION_RESET_EVERY, now)) {
      after = at.upTo();
      since = at.since();
    }
    String deletable = kind + " AND x.finish_seq <= ? AND NOT " + SqlRetention.awaited("x");
    PreparedStatement range = c.ps("SELECT min(s), max(s) FROM (SELECT x.finish_seq AS s FROM " + dialect.allJobs()
        + " x WHERE x." + deletable + " AND x.finish_seq > ? ORDER BY x.finish_seq LIMIT ?) t");
    range.setLong(1, cutoff);
    range.setLong(2, after);
    range.setInt(3, n);
    long from;
    long upTo;
    try (ResultSet rs = range.executeQuery()) {
      rs.next();
      from = rs.getLong(1);
      if (rs.wasNull()) {
        return 0;
      }
      upTo = rs.getLong(2);
    }
    int deleted = 0;
    for (String table : TABLES) {
      // from the first: the range scan does not walk the entries of the rows deleted before it
      PreparedStatement del = c.ps("DELETE FROM " + table + " x WHERE x." + deletable + " AND x.finish_seq >= ?");
      del.setLong(1, upTo);
      del.setLong(2, from);
      deleted += del.executeUpdate();
    }
    positions.put(kind, new Position(upTo, since));
    return deleted;
  }

  /**
   * Moves up to {@code batch} finished jobs older than {@code archiveAfter} to the history.
   *
   * @return how many moved
   */
  public int archive(int batch) {
    Duration after = archiveAfter;
    if (after == null) {
      return 0; // never archived
    }
    Instant at = clock.instant();
    long now = SqlJobRows.micros(at);
    long before = SqlJobRows.micros(at.minus(after));
    TreeSet<Long> days = daysToArchive(before, now, batch);
    if (!days.isEmpty()) {
      partitions.create(days);
    }
    // only jobs whose partition exists: skipping rows another process holds may reach jobs past
    // those read above, which go in a later call
    return db.write("archive finished jobs", c -> {
      PreparedStatement ps = c.ps(sql.archive(ARCHIVABLE, "(j.expires_at >= " + SqlHistoryPartitions.FOREVER_US
          + " OR " + sql.dayIn("j.expires_at / " + SqlHistoryPartitions.DAY_US) + ")"));
      ps.setLong(1, before);
      ps.setLong(2, now);
      dialect.bindIds(c, ps, 3, days.stream().mapToLong(Long::longValue).toArray());
      ps.setInt(4, batch);
      return ps.executeUpdate();
    });
  }

  /** The days the oldest candidates to archive expire in: their partitions are created first in their own transaction (DDL). */
  private TreeSet<Long> daysToArchive(long before, long now, int batch) {
    return db.read("find history partitions to create", c -> {
      PreparedStatement ps = c.ps("SELECT DISTINCT expires_at / " + SqlHistoryPartitions.DAY_US + " FROM (SELECT"
          + " j.expires_at FROM spindle_jobs j WHERE " + ARCHIVABLE + " ORDER BY j.finished_at LIMIT ?) AS x WHERE"
          + " expires_at < " + SqlHistoryPartitions.FOREVER_US);
      ps.setLong(1, before);
      ps.setLong(2, now);
      ps.setInt(3, batch);
      TreeSet<Long> out = new TreeSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
      return out;
    });
  }

  /**
   * Drops the history partitions whose whole day ended at or before {@code now} (microseconds).
   *
   * @return the jobs they held
   */
  int dropPartitions(long now) {
    List<String> names = new ArrayList<>();
    for (long day : db.read("list history partitions", partitions::days)) {
      if ((day + 1) * SqlHistoryPartitions.DAY_US <= now) {
        names.add(SqlHistoryPartitions.name(day));
      }
    }
    if (names.isEmpty()) {
      return 0;
    }
    int dropped = db.write("drop expired history partitions", c -> {
      partitions.lock(c);
      int jobs = 0;
      for (String name : names) {
        jobs += dropPartition(c, name);
      }
      return jobs;
    });
    partitions.refresh();
    return dropped;
  }

  /** Drops partition {@code name} in the caller's transaction, if another process has not: the jobs it held. */
  private int dropPartition(C c, String name) throws SQLException {
    PreparedStatement exists = c.ps(sql.exists());
    exists.setString(1, name);
    try (ResultSet rs = exists.executeQuery()) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return 0; // another process dropped it
      }
    }
    // locked first: no row-by-row delete of the partition commits between the count and the drop
    c.execOnce(sql.lockPartition(name));
    int jobs;
    try (ResultSet rs = c.ps(sql.uncount(name)).executeQuery()) {
      rs.next();
      jobs = rs.getInt(1);
    }
    c.execOnce("DROP TABLE " + name);
    return jobs;
  }
}
