package dev.spindle.store.postgres;

import dev.spindle.queue.JobState;
import dev.spindle.store.jdbc.internal.SqlArrayCompletions;
import dev.spindle.store.jdbc.internal.SqlArrayWrites;
import dev.spindle.store.jdbc.internal.SqlHistoryPartitions;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.JobRows;
import dev.spindle.store.postgres.internal.PostgresDialect;
import dev.spindle.store.postgres.internal.Schema;
import java.util.Collection;
import java.util.List;

/**
 * The history that {@link PostgresJobStore}'s successes move into in their completing statement
 * ({@code archiveAfter} 0): the move's SQL over the engine's column arrays ({@link SqlArrayWrites})
 * and the day partitions ({@link SqlHistoryPartitions}) it needs. The engine's {@link
 * SqlArrayCompletions} runs it. Thread-safe.
 */
final class PostgresCompletions implements SqlArrayCompletions.DirectHistory {
  /**
   * The largest stored arguments (bytes, {@code pg_column_size}) of a success moved as it completes:
   * larger ones are TOASTed and the history's copy would write them again (on a full disk that
   * stopped completions); they move with the archive.
   */
  static final int MOVED_ARGS_MAX = 2000;

  private final SqlHistoryPartitions<Db.Conn> history;

  PostgresCompletions(SqlHistoryPartitions<Db.Conn> history) {
    this.history = history;
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
   * SqlArrayCompletions#finishSuccesses}).
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

  @Override
  public String moveSql(String finishLock) {
    return moving(finishLock);
  }

  @Override
  public long[] known() {
    return history.known();
  }

  @Override
  public Collection<Long> missing(long[] known, List<Long> expiries) {
    return SqlHistoryPartitions.missing(known, expiries);
  }

  @Override
  public void create(List<Long> days) {
    history.create(days);
  }
}
