package dev.spindle.store.postgres;

import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.store.jdbc.internal.SqlRetention;
import dev.spindle.store.jdbc.internal.SqlRules;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.FinishHorizon;
import dev.spindle.store.postgres.internal.JobRows;
import dev.spindle.store.postgres.internal.PostgresDialect;
import dev.spindle.store.postgres.internal.Schema;
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
 * Retention of {@link PostgresJobStore}, with the history of finished jobs, in this order per call:
 *
 * <ol>
 *   <li>Expiry: a history partition whose whole day has passed is dropped ({@code DROP TABLE}: no
 *       dead rows, no vacuum); jobs expired in the hot table or in the current day's partition are
 *       deleted row by row, except jobs a waiting dependent still needs (until it is released).
 *   <li>Limits: beyond {@link RetentionLimits}' counts (over both tables), the oldest finished jobs
 *       are deleted: the finish number of the newest job beyond a limit is read, then the jobs up to
 *       it go a batch per call until none is left (read again after a minute at most). Expiry and
 *       limits together delete at most {@link RetentionLimits#batch()} jobs per call.
 *   <li>Archive, once those found less than a full batch: finished jobs older than {@code
 *       archiveAfter} (and not part of a workflow) move from the hot table {@code spindle_jobs} to
 *       {@code spindle_history}, partitioned by expiry day ({@code spindle_history_d<day>}, created
 *       as needed), a batch per transaction, so claims never walk past them and the hot table stays
 *       small. With {@code archiveAfter} 0 (the default) successes move in their completing
 *       statement ({@link PostgresCompletions}) and this moves the rest; each call then also creates
 *       the day partitions that the next day's successes need ({@link HistoryPartitions#prepare}).
 * </ol>
 *
 * <p>Processes housekeeping at the same time do not collide: candidates are locked with {@code SKIP
 * LOCKED}, and partitions are created and dropped under an advisory lock. How long this process
 * keeps what it read (a limit's finish number, where its deletions ended) runs out when the store's
 * clock or the monotonic clock says so, whichever comes first ({@link When}): tests move the
 * store's clock, and a store clock stepped back (an NTP correction, a VM restored from a snapshot)
 * does not keep them an hour longer. Thread-safe.
 */
final class PostgresRetention {
  /** The most archive batches one call moves (so one call never runs for long). */
  private static final int ARCHIVE_ROUNDS = 50;
  /**
   * The jobs of {@code spindle_jobs j} the archive moves (parameters: finished at or before, expiring
   * after): finished, and not part of a workflow (their edges stay with the hot table's rows).
   */
  private static final String ARCHIVABLE = "j." + JobRows.IS_TERMINAL + " AND j.finished_at <= ? AND j.expires_at > ?"
      + " AND NOT EXISTS (SELECT 1 FROM spindle_deps d WHERE d.parent = j.id)"
      + " AND NOT EXISTS (SELECT 1 FROM spindle_deps d WHERE d.child = j.id)";
  /** How long a finish number read for a retention limit is used before it is read again. */
  private static final Duration CUTOFF_READ_EVERY = Duration.ofMinutes(1);

  /**
   * How long deletions beyond a limit start from where the last one ended before they start from the
   * oldest finished job again, catching the jobs passed by because a dependent waited for them then.
   * Such a walk from the oldest visits every job deleted since the last vacuum: once a minute it
   * cost up to a second per process in a steady-state drain (97 us of statement time per job).
   */
  private static final Duration POSITION_RESET_EVERY = Duration.ofMinutes(10);

  /**
   * A moment on two clocks: {@code at} on the store's clock, {@code nanos} on the monotonic one
   * ({@link System#nanoTime()}, as the store's {@code nanoTime}).
   */
  record When(Instant at, long nanos) {
    /**
     * Whether {@code interval} has passed between this moment and {@code now} on either clock, so
     * a step of the store's clock neither stops nor stretches it, and tests still move it.
     */
    boolean passed(Duration interval, When now) {
      return now.nanos() - nanos >= interval.toNanos() || !now.at().isBefore(at.plus(interval));
    }
  }

  /** A finish number at or below which jobs were beyond limit {@code max} when read. */
  private record Cutoff(long max, long seq, When readAt) {}

  /**
   * The highest finish number deleted beyond a limit ({@code upTo}), used as the start of the next
   * deletion until {@link #POSITION_RESET_EVERY} has passed {@code since}.
   */
  private record Position(long upTo, When since) {}

  /** By kind of job (its {@link SqlRules#keptAs} condition). */
  private final Map<String, Cutoff> cutoffs = new ConcurrentHashMap<>();

  /** By kind of job, as {@link #cutoffs}. */
  private final Map<String, Position> positions = new ConcurrentHashMap<>();

  private final Db db;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final @Nullable Duration archiveAfter;
  private final SqlRetention<Db.Conn> shared;
  private final HistoryPartitions partitions;
  private final FinishHorizon horizon;

  /**
   * @param archiveAfter how long a finished job stays in the hot table; null: never archived
   * @param partitions the history's day partitions
   * @param horizon the finished feed's horizon: deletions beyond a limit stop there
   * @param nanoTime the monotonic clock, in nanoseconds ({@code System::nanoTime})
   */
  PostgresRetention(Db db, Clock clock, @Nullable Duration archiveAfter, HistoryPartitions partitions,
      FinishHorizon horizon, LongSupplier nanoTime) {
    this.db = db;
    this.horizon = horizon;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.archiveAfter = archiveAfter;
    this.partitions = partitions;
    this.shared = new SqlRetention<>(db, PostgresDialect.INSTANCE, clock);
  }

  /** {@link dev.spindle.queue.spi.JobStore#purgeExpired}: the jobs deleted (archived ones are not counted). */
  int purgeExpired(Instant callerNow, RetentionLimits limits) {
    shared.purgeStatistics();
    long t = JobRows.micros(clock.instant());
    int dropped = dropPartitions(t);
    if (Duration.ZERO.equals(archiveAfter)) {
      partitions.prepare(); // the days that successes moving straight to the history need next
    }
    int deleted = deleteExpiredAndBeyondLimits(t, limits);
    // Archive only what retention keeps: while expiry or a limit still finds a full batch, the
    // oldest finished jobs are about to be deleted, and moving them to the history first would
    // write each twice (the caller calls again at once after a full batch). In a soak at 19,000
    // jobs/s, archiving first moved up to 250,000 such jobs per call, after any pause in retention.
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
      // along the indexes, in their order, whatever the statistics say: planned while the hot table's
      // statistics said it was empty, the range read scanned that whole table and sorted a freshly
      // filled history partition's whole range for its LIMIT (550 ms a call, auto_explain). No JIT:
      // a plan holding a disabled node costs over jit_above_cost, and compiling took 40-190 ms a call
      c.setLocal("enable_seqscan", "off", "enable_sort", "off", "jit", "off");
      return shared.deleteExpiredAndBeyond(c, t, limits, List.of("spindle_jobs", "spindle_history"),
          this::deleteBeyondLimit);
    });
  }

  /**
   * Deletes up to {@code n} of the oldest finished jobs matching {@code kind} beyond the newest
   * {@code max}. The finish number of the newest job beyond them (an index walk of {@code max}
   * entries) is kept between calls, for at most {@link #CUTOFF_READ_EVERY} (on either clock), while
   * calls find {@code n} jobs at or below it; a call that finds fewer reads it again and goes on.
   * Counting up to the limit before every batch took 13.6 µs of statement time per finished job in
   * the soak (pg_stat_statements, wall time on 2 busy cores; now 1.0 µs, 76 reads instead of 1,853
   * counts). Processes doing this at once delete the same jobs (those at or below a finish number,
   * not a number of jobs), so together they delete no more than one would.
   *
   * @return the jobs deleted
   */
  private int deleteBeyondLimit(Db.Conn c, String kind, long max, int n) throws SQLException {
    When now = new When(clock.instant(), nanoTime.getAsLong());
    // not past a finish number whose transaction may still commit: the position would pass its job
    long settled = horizon.read(c);
    Cutoff kept = cutoffs.get(kind);
    int deleted = 0;
    if (kept != null && kept.max() == max && !kept.readAt().passed(CUTOFF_READ_EVERY, now)) {
      deleted = deleteOldest(c, kind, Math.min(kept.seq(), settled), n, now);
      if (deleted == n) {
        return deleted;
      }
    }
    // none kept, or none left at or below it: read it anew
    PreparedStatement ps = c.ps("SELECT finish_seq FROM spindle_all_jobs WHERE " + kind
        + " ORDER BY finish_seq DESC OFFSET ? LIMIT 1");
    ps.setLong(1, max);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        cutoffs.remove(kind);
        return deleted; // not beyond the limit
      }
      Cutoff read = new Cutoff(max, rs.getLong(1), now);
      int more = deleteOldest(c, kind, Math.min(read.seq(), settled), n - deleted, now);
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
   * {@code cutoff} (jobs a waiting dependent needs are kept): the finish numbers of the first and
   * the n-th of them are read, then each table deletes that range along its finish-number index.
   *
   * <p>The read starts after the highest finish number this process deleted of that kind (its {@link
   * Position}), and from the oldest again every {@link #POSITION_RESET_EVERY} (on either clock):
   * from the oldest, it walked the index entries of every job deleted since the last vacuum, 44 us
   * of statement time per finished job at steady state (after a 400,000-job warm-up). The caller
   * caps {@code cutoff} at the finished feed's horizon ({@link FinishHorizon}), so no job that
   * finished below the position can become visible after it was passed. The ids were read and
   * deleted with {@code id = ANY(...)} before that, which looked each id up in every partition of
   * the history: 31 us per finished job.
   */
  private int deleteOldest(Db.Conn c, String kind, long cutoff, int n, When now) throws SQLException {
    Position at = positions.get(kind);
    long after = 0;
    When since = now;
    if (at != null && !at.since().passed(POSITION_RESET_EVERY, now)) {
      after = at.upTo();
      since = at.since();
    }
    String deletable = kind + " AND x.finish_seq <= ? AND NOT " + SqlRetention.awaited("x");
    PreparedStatement range = c.ps("SELECT min(s), max(s) FROM (SELECT x.finish_seq AS s FROM spindle_all_jobs x"
        + " WHERE x." + deletable + " AND x.finish_seq > ? ORDER BY x.finish_seq LIMIT ?) t");
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
    for (String table : List.of("spindle_jobs", "spindle_history")) {
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
  int archive(int batch) {
    Duration after = archiveAfter;
    if (after == null) {
      return 0; // never archived
    }
    Instant at = clock.instant();
    long now = JobRows.micros(at);
    long before = JobRows.micros(at.minus(after));
    // the partitions the oldest candidates need, created first in a transaction of their own (DDL
    // locks the history briefly; once a day)
    TreeSet<Long> days = db.read("find history partitions to create", c -> {
      PreparedStatement ps = c.ps("SELECT DISTINCT expires_at / " + Schema.PARTITION_US + " FROM (SELECT j.expires_at"
          + " FROM spindle_jobs j WHERE " + ARCHIVABLE + " ORDER BY j.finished_at LIMIT ?) AS x WHERE expires_at < "
          + Schema.FOREVER_US);
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
    if (!days.isEmpty()) {
      partitions.create(days);
    }
    // only jobs whose partition was made above: rows another process holds are skipped, so this batch
    // may reach jobs past the ones read there (they go in a later call)
    return db.write("archive finished jobs", c -> {
      // the locked ids in ARRAY(...): run once (as IN (...) the planner may run it again per row, see PostgresClaims)
      PreparedStatement ps = c.ps("WITH m AS (DELETE FROM spindle_jobs WHERE id = ANY(ARRAY(SELECT j.id FROM spindle_jobs j"
          + " WHERE " + ARCHIVABLE + " AND (j.expires_at >= " + Schema.FOREVER_US + " OR j.expires_at / "
          + Schema.PARTITION_US + " = ANY(?::bigint[])) ORDER BY j.finished_at LIMIT ? FOR UPDATE SKIP LOCKED))"
          + " RETURNING *) INSERT INTO spindle_history SELECT * FROM m");
      ps.setLong(1, before);
      ps.setLong(2, now);
      ps.setArray(3, c.jdbc().createArrayOf("int8", days.toArray()));
      ps.setInt(4, batch);
      return ps.executeUpdate();
    });
  }

  /**
   * Drops the history partitions whose whole day ended at or before {@code now} (microseconds).
   *
   * @return the jobs they held
   */
  int dropPartitions(long now) {
    List<String> names = db.read("list history partitions", c -> {
      List<String> out = new ArrayList<>();
      for (String name : HistoryPartitions.names(c)) {
        if ((HistoryPartitions.dayOf(name) + 1) * Schema.PARTITION_US <= now) {
          out.add(name);
        }
      }
      return out;
    });
    if (names.isEmpty()) {
      return 0;
    }
    int dropped = db.write("drop expired history partitions", c -> {
      HistoryPartitions.lock(c);
      int jobs = 0;
      for (String name : names) {
        PreparedStatement exists = c.ps("SELECT to_regclass(?) IS NOT NULL");
        exists.setString(1, name);
        try (ResultSet rs = exists.executeQuery()) {
          rs.next();
          if (!rs.getBoolean(1)) {
            continue; // another process dropped it
          }
        }
        // locked first: no row-by-row delete of the partition commits between the count and the drop
        c.execOnce("LOCK TABLE " + name + " IN ACCESS EXCLUSIVE MODE");
        try (ResultSet rs = c.ps("WITH g AS (SELECT queue, state, count(*) AS n FROM " + name
            + " GROUP BY queue, state), s AS (INSERT INTO spindle_history_counts AS h (queue, state, shard, n)"
            + " SELECT queue, state, 0, -n FROM g ORDER BY queue, state ON CONFLICT (queue, state, shard) DO UPDATE"
            + " SET n = h.n + excluded.n) SELECT coalesce(sum(n), 0) FROM g").executeQuery()) {
          rs.next();
          jobs += rs.getInt(1);
        }
        c.execOnce("DROP TABLE " + name);
      }
      return jobs;
    });
    partitions.refresh();
    return dropped;
  }
}
