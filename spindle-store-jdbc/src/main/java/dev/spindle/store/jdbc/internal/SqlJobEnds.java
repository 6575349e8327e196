package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobRules;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.store.jdbc.JdbcConn;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Single jobs moved to an end one at a time, inside the caller's transaction: the finish that
 * cancels, dependencies, jobs dead from the start and the shared collaborators use. Each finish
 * takes its own finish sequence number, counts the end in the statistics and tells the job's
 * dependents. Thread-safe (stateless apart from its collaborators).
 *
 * @param <C> the store's connection type
 */
public final class SqlJobEnds<C extends JdbcConn> {
  /** How a store numbers the feed of finished jobs and counts ends. Implementations are thread-safe. */
  public interface Numbering<C> {
    /**
     * The SQL value of the next finish number in an UPDATE: {@code "?"} (bound to what {@link
     * #take} returns) or an expression such as {@code nextval('spindle_finish_seq')}.
     */
    String nextFinishSeq();

    /**
     * Called before a finish number is taken: the number to bind when {@link #nextFinishSeq} is
     * {@code "?"}, else anything (a store may take a lock here).
     */
    long take(C c) throws SQLException;

    /** After job rows took numbers up to {@code last} ({@link #take}'s value), in the same transaction. */
    void taken(C c, long last) throws SQLException;

    /** Adds to this minute's counters ({@link MinuteStats}), inside the caller's transaction. */
    void addStats(C c, Instant now, Map<Integer, Long> counters) throws SQLException;
  }

  private final Numbering<C> numbering;
  private final SqlDependencies<C> deps;
  private final boolean bound;
  private final String sql;
  private final String resultSql;
  private final String failureSql;

  /** @param deps told of each end, for the job's dependents */
  public SqlJobEnds(Numbering<C> numbering, SqlDependencies<C> deps) {
    this.numbering = numbering;
    this.deps = deps;
    this.bound = numbering.nextFinishSeq().equals("?");
    this.sql = "UPDATE spindle_jobs SET state = ?, error = coalesce(?, error), dead_reason = ?, finished_at = ?,"
        + " finish_seq = " + numbering.nextFinishSeq() + ", expires_at = ? + %s, cancel_requested = 0"
        + " WHERE id = ? AND state = ?";
    this.resultSql = String.format(sql, SqlJobRows.RESULT_TTL);
    this.failureSql = String.format(sql, SqlJobRows.FAILURE_TTL);
  }

  /**
   * Moves one job, read in this transaction in state {@code from}, to the terminal state {@code to}
   * with its own finish sequence number, through {@link JobState#checkTransition}.
   *
   * @param ttl the SQL of the time to keep it ({@link SqlJobRows#RESULT_TTL} or {@link SqlJobRows#FAILURE_TTL})
   * @throws dev.spindle.queue.IllegalJobTransitionException if the table forbids the move
   * @throws IllegalStateException if the job is not in {@code from} (it was read in this transaction)
   */
  public void finish(C c, long id, JobState from, JobState to, Instant now, @Nullable String error,
      @Nullable String deadReason, String ttl) throws SQLException {
    JobState.checkTransition(Long.toString(id), from, to);
    long seq = numbering.take(c);
    PreparedStatement ps = c.ps(ttl.equals(SqlJobRows.RESULT_TTL) ? resultSql
        : ttl.equals(SqlJobRows.FAILURE_TTL) ? failureSql : String.format(sql, ttl));
    long t = SqlJobRows.micros(now);
    int i = 1;
    ps.setInt(i++, SqlJobRows.code(to));
    ps.setString(i++, error);
    ps.setString(i++, deadReason);
    ps.setLong(i++, t);
    if (bound) {
      ps.setLong(i++, seq);
    }
    ps.setLong(i++, t);
    ps.setLong(i++, id);
    ps.setInt(i, SqlJobRows.code(from));
    if (ps.executeUpdate() == 0) {
      throw new IllegalStateException("job " + id + " was not " + from + " when moved to " + to
          + " although this transaction read it so; the database was changed outside the store");
    }
    numbering.taken(c, seq);
    numbering.addStats(c, now, Map.of(JobRules.endCounterOf(to), 1L));
    deps.ended(c, id, now);
  }
}
