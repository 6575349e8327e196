package dev.spindle.store.postgres;

import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.internal.SqlArrayWrites;
import dev.spindle.store.jdbc.internal.SqlCompletions;
import dev.spindle.store.jdbc.internal.SqlHistoryPartitions;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.FinishHorizon;
import dev.spindle.store.postgres.internal.JobRows;
import dev.spindle.store.postgres.internal.PostgresDialect;
import dev.spindle.store.postgres.internal.Schema;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The completion path of {@link PostgresJobStore}: the engine's column-array rounds ({@link
 * SqlArrayWrites}) under the finishing lock ({@link FinishHorizon}), planned once per connection,
 * and with {@code archiveAfter} 0 successes moved to the history ({@link SqlHistoryPartitions}) in
 * their completing statement. Thread-safe.
 */
final class PostgresCompletions implements SqlCompletions.Writes<Db.Conn>, SqlArrayWrites.Host<Db.Conn> {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresJobStore.class);

  /**
   * The largest stored arguments (bytes, {@code pg_column_size}) of a success moved as it completes:
   * larger ones are TOASTed and the history's copy would write them again (on a full disk that
   * stopped completions); they move with the archive.
   */
  static final int MOVED_ARGS_MAX = 2000;

  /** The SQLSTATE of a serialization failure, which the engine answers by running the transaction again. */
  private static final String SERIALIZATION_FAILURE = "40001";

  /** Told when finished jobs' dependents may have become ready (their ids are old). */
  private final ClaimPositions positions;
  /** The history's partitions when successes move to the history as they complete, else null. */
  private final @Nullable SqlHistoryPartitions<Db.Conn> direct;
  private final String lockCall;
  private final String movedSql;
  private final SqlArrayWrites<Db.Conn> rounds;
  /** Days of successes that stayed in the hot table while moving was on for want of their partition. */
  private final Set<Long> missingDays = new ConcurrentSkipListSet<>();

  /**
   * @param direct the history's partitions when successes move to the history in their completing
   *     statement (archiveAfter 0), else null
   */
  PostgresCompletions(FinishHorizon horizon, @Nullable SqlHistoryPartitions<Db.Conn> direct, ClaimPositions positions) {
    this.positions = positions;
    this.direct = direct;
    this.lockCall = horizon.lockCall();
    this.movedSql = moving(lockCall);
    this.rounds = new SqlArrayWrites<>(PostgresDialect.INSTANCE, new PostgresFinishes(horizon), this);
  }

  /**
   * The SQL that moves successes to the history in one statement: rows still held as named, not in
   * a workflow, with arguments in line ({@link #MOVED_ARGS_MAX}) and a result retention ending in a
   * known day partition (the last parameter, an array of days) or never, are deleted from the hot
   * table and inserted into the history as SUCCEEDED with finish numbers. The hot table gets no
   * finished row version (six index entries), its vacuum a third fewer dead rows. Successes kept for
   * no time ({@code resultTtl} 0) are deleted with no history row. The others are left to the
   * engine's statement.
   *
   * <p>Race: a dependent or waiter added while the statement waited for a row lock is not seen by
   * its {@code NOT EXISTS}, so dependents are read after the delete ({@link Schema#hasDependents}).
   * A moved job tells its end from the history ({@code spindle_all_jobs}); one deleted with no
   * history row cannot, so the third column flags it and the transaction runs again ({@link
   * #finishSuccesses}).
   */
  static String moving(String lockCall) {
    PostgresDialect d = PostgresDialect.INSTANCE;
    String expires = "(m.at + p.result_ttl_us)";
    return "WITH m AS MATERIALIZED (SELECT " + lockCall + " AS locked, ?::bigint AS at),"
        + " moved AS (DELETE FROM spindle_jobs j USING m, " + SqlArrayWrites.batch(d, "result text") + ","
        + " spindle_policies p WHERE " + SqlArrayWrites.held(d) + " AND p.id = j.policy_id AND (p.result_ttl_us = 0"
        + " OR (p.result_ttl_us > 0 AND (" + expires + " >= " + Schema.FOREVER_US + " OR (" + expires + " / "
        + Schema.PARTITION_US + " = ANY(?::bigint[]) AND " + expires + " % " + Schema.PARTITION_US + " < "
        + (Schema.PARTITION_US - SqlHistoryPartitions.MARGIN_US) + ")) AND pg_column_size(j.args) <= " + MOVED_ARGS_MAX
        + ")) AND NOT EXISTS (SELECT 1 FROM spindle_deps d WHERE d.parent = j.id)"
        + " AND NOT EXISTS (SELECT 1 FROM spindle_deps d WHERE d.child = j.id)"
        + " RETURNING j.*, " + SqlArrayWrites.item(d, "result") + " AS new_result, m.at AS at, " + expires
        + " AS new_expires, p.result_ttl_us AS kept_us),"
        + " ins AS (INSERT INTO spindle_history (id, task, queue, state, priority, args, result, error, dead_reason,"
        + " unique_key, attempt, failures, lost, fence, worker_id, cancel_requested, created_at, run_at, started_at,"
        + " finished_at, expires_at, finish_seq, policy_id, trace_context, flow_key)"
        + " SELECT id, task, queue, " + JobRows.code(JobState.SUCCEEDED) + ", priority, args, new_result, error,"
        + " dead_reason, unique_key, attempt, failures, lost, fence, worker_id, 0, created_at, run_at, started_at,"
        + " at, new_expires, nextval('spindle_finish_seq'), policy_id, trace_context, flow_key FROM moved"
        + " WHERE kept_us > 0 ORDER BY id)"
        // the insert runs to completion unread (as every data-modifying WITH does); a deleted job is done
        + " SELECT id, " + Schema.hasDependents("moved") + ", (SELECT CASE WHEN bool_or(kept_us = 0) THEN "
        + Schema.HAS_DEPENDENTS + "(array_agg(id) FILTER (WHERE kept_us = 0)) ELSE false END FROM moved) FROM moved";
  }

  /** Takes the finishing lock in shared mode in the statement, before any finish number ({@link FinishHorizon}). */
  @Override
  public String finishLock() {
    return lockCall;
  }

  /** {@link Schema#hasDependents}: a function with a snapshot of its own, called after the statement's updates. */
  @Override
  public String hasDependents(String cte) {
    return Schema.hasDependents(cte);
  }

  /**
   * Unless the call runs again on a full disk: successes moved to the history ({@link #moving}).
   *
   * @throws SQLException a serialization failure (the call runs again) if a success that kept no
   *     history row turned out to have a dependent or a waiter
   */
  @Override
  public Set<Long> finishSuccesses(Db.Conn c, SqlArrayWrites.Columns successes, long now, boolean again,
      boolean[] anyDeps) throws SQLException {
    SqlHistoryPartitions<Db.Conn> history = direct;
    if (history == null || again) {
      return Set.of();
    }
    PreparedStatement ps = c.ps(movedSql);
    ps.setLong(1, now);
    successes.bind(c, ps, 2, "text");
    ps.setArray(6, c.jdbc().createArrayOf("int8", Arrays.stream(history.known()).boxed().toArray()));
    Set<Long> moved = new HashSet<>();
    boolean lost = false;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        moved.add(rs.getLong(1));
        anyDeps[0] |= rs.getBoolean(2);
        lost |= rs.getBoolean(3);
      }
    }
    if (lost) { // a serialization failure: the engine rolls back and runs the call again
      throw new SQLException("a success kept no history row, but a dependent or waiter of it committed while the"
          + " completion waited for its row; the completion runs again and finishes it in place", SERIALIZATION_FAILURE);
    }
    return moved;
  }

  /** Successes that stayed in the hot table for want of their day's partition: the day is created after the commit. */
  @Override
  public void finishedInPlace(List<Long> expiries, boolean again) {
    SqlHistoryPartitions<Db.Conn> history = direct;
    if (history != null && !again && !expiries.isEmpty()) {
      missingDays.addAll(SqlHistoryPartitions.missing(history.known(), expiries));
    }
  }

  /** Finished jobs' dependents may have become ready (their ids are old). */
  @Override
  public void dependentsReleased() {
    positions.readied();
  }

  /** The engine's rounds, their statements planned once per connection (see {@link SqlArrayWrites#batch}). */
  @Override
  public SqlCompletions.Applier<Db.Conn> start(Db.Conn c, boolean again) throws SQLException {
    c.setLocal("plan_cache_mode", "force_generic_plan");
    return rounds.start(c, again);
  }

  /** On a full disk jobs finish in the hot table: the history's copy of a row needs room that finishing in place does not. */
  @Override
  public boolean runsAgain(StoreException e) {
    return e.reason() == StoreException.Reason.DISK_FULL && direct != null;
  }

  /**
   * After a commit: creates the days whose successes stayed in the hot table for want of a partition
   * (outside any transaction). A failure is logged: the jobs are stored and the archive moves them.
   */
  @Override
  public void afterCommit() {
    SqlHistoryPartitions<Db.Conn> history = direct;
    if (history != null && !missingDays.isEmpty()) {
      List<Long> days = new ArrayList<>(missingDays);
      missingDays.removeAll(days);
      try {
        history.create(days);
      } catch (RuntimeException e) {
        LOG.warn("could not create the history's day partitions for finished jobs (they stay in the hot table"
            + " until retention archives them): {}", e.getMessage());
      }
    }
  }
}
