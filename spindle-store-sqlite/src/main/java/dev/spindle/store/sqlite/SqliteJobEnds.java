package dev.spindle.store.sqlite;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.sql.SqlDependencies;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.JobRows;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Single jobs of {@link SqliteJobStore} moved to an end one at a time: the finish that cancels,
 * dependencies and the shared SQL collaborators use (each finish with its own finish sequence
 * number, its statistics and its dependents). Stateless apart from the dependencies; thread-safe.
 */
final class SqliteJobEnds {
  /** The expiry of a successful or cancelled job: its policy's result TTL, in microseconds. */
  static final String RESULT_TTL = "(SELECT result_ttl_us FROM spindle_policies p WHERE p.id = policy_id)";
  /** The expiry of a failed or dead job: its policy's failure TTL, in microseconds. */
  static final String FAILURE_TTL = "(SELECT failure_ttl_us FROM spindle_policies p WHERE p.id = policy_id)";

  private final SqlDependencies<Db.Conn> deps;

  SqliteJobEnds(SqlDependencies<Db.Conn> deps) {
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
    long seq = SqliteMeta.get(c, "finish_seq") + 1;
    PreparedStatement ps = c.ps("UPDATE spindle_jobs SET state = ?, error = coalesce(?, error), dead_reason = ?,"
        + " finished_at = ?, finish_seq = ?, expires_at = ? + " + ttl + ", cancel_requested = 0"
        + " WHERE id = ? AND state = ?");
    long t = JobRows.micros(now);
    ps.setInt(1, JobRows.code(to));
    ps.setString(2, error);
    ps.setString(3, deadReason);
    ps.setLong(4, t);
    ps.setLong(5, seq);
    ps.setLong(6, t);
    ps.setLong(7, id);
    ps.setInt(8, JobRows.code(from));
    if (ps.executeUpdate() == 0) {
      throw new IllegalStateException("job " + id + " was not " + from + " when moved to " + to
          + " although this transaction read it so; the database was changed outside the store");
    }
    SqliteMeta.set(c, "finish_seq", seq);
    SqliteStatistics.addStats(c, now, Map.of(to == JobState.CANCELLED ? MinuteStats.CANCELLED
        : to == JobState.DEAD ? MinuteStats.DEAD : MinuteStats.FAILED, 1L));
    deps.ended(c, id, now);
  }
}
