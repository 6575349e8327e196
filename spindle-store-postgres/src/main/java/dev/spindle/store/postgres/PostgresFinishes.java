package dev.spindle.store.postgres;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.sql.SqlDependencies;
import dev.spindle.queue.spi.sql.SqlPolicies;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.FinishHorizon;
import dev.spindle.store.postgres.internal.JobRows;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How jobs of {@link PostgresJobStore} end, inside the caller's transaction: a terminal move takes
 * the next finish sequence number under the {@link FinishHorizon}, counts the end and tells the
 * dependents; and the feed of finished jobs is read in that order up to the horizon. Thread-safe
 * (stateless apart from its collaborators).
 */
final class PostgresFinishes {
  private final FinishHorizon horizon;
  private final SqlPolicies policies;
  private final SqlDependencies<Db.Conn> deps;

  PostgresFinishes(FinishHorizon horizon, SqlPolicies policies, SqlDependencies<Db.Conn> deps) {
    this.horizon = horizon;
    this.policies = policies;
    this.deps = deps;
  }

  /**
   * Moves one job, read in this transaction in state {@code from}, to the terminal state {@code to}
   * with its own finish sequence number, through {@link JobState#checkTransition}.
   *
   * @throws dev.spindle.queue.IllegalJobTransitionException if the table forbids the move
   * @throws IllegalStateException if the job is not in {@code from} (it was read in this transaction)
   */
  void finish(Db.Conn c, long id, JobState from, JobState to, Instant now, @Nullable String error,
      @Nullable String deadReason, String ttl) throws SQLException {
    JobState.checkTransition(Long.toString(id), from, to);
    horizon.lockIn(c); // before the number is taken (FinishHorizon)
    PreparedStatement ps = c.ps("UPDATE spindle_jobs SET state = ?, error = coalesce(?, error), dead_reason = ?,"
        + " finished_at = ?, finish_seq = nextval('spindle_finish_seq'), expires_at = ? + " + ttl
        + ", cancel_requested = 0 WHERE id = ? AND state = ?");
    long t = JobRows.micros(now);
    ps.setInt(1, JobRows.code(to));
    ps.setString(2, error);
    ps.setString(3, deadReason);
    ps.setLong(4, t);
    ps.setLong(5, t);
    ps.setLong(6, id);
    ps.setInt(7, JobRows.code(from));
    if (ps.executeUpdate() == 0) {
      throw new IllegalStateException("job " + id + " was not " + from + " when moved to " + to
          + " although this transaction read it so; the database was changed outside the store");
    }
    PostgresStatistics.addStats(c, now, Map.of(to == JobState.CANCELLED ? MinuteStats.CANCELLED
        : to == JobState.DEAD ? MinuteStats.DEAD : MinuteStats.FAILED, 1L));
    deps.ended(c, id, now);
  }

  /**
   * The feed after {@code cursor} up to the safe horizon {@code upTo} ({@link FinishHorizon}): numbers
   * above it may still appear. The next cursor is the last job's number when the page is full, else
   * the horizon (numbers of rolled-back transactions are skipped).
   */
  FinishedBatch finishedIn(Db.Conn c, long cursor, int limit, long upTo) throws SQLException {
    if (upTo <= cursor) {
      return new FinishedBatch(List.of(), cursor);
    }
    PreparedStatement ps = c.ps("SELECT " + JobRows.COLUMNS + " FROM spindle_all_jobs WHERE " + JobRows.IS_TERMINAL + " AND "
        + "finish_seq > ? AND finish_seq <= ? ORDER BY finish_seq LIMIT ?");
    ps.setLong(1, cursor);
    ps.setLong(2, upTo);
    ps.setInt(3, limit);
    List<JobInfo> out = new ArrayList<>();
    long last = cursor;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        JobInfo j = JobRows.read(rs, id -> policies.get(c, id));
        out.add(j);
        last = j.finishSeq();
      }
    }
    return new FinishedBatch(out, out.size() < limit ? upTo : last);
  }
}
