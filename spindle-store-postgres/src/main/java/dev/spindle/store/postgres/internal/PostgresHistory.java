package dev.spindle.store.postgres.internal;

import dev.spindle.queue.JobState;
import dev.spindle.store.jdbc.JdbcHistory;
import dev.spindle.store.jdbc.internal.SqlArrayWrites;
import dev.spindle.store.jdbc.internal.SqlHistoryPartitions;
import dev.spindle.store.jdbc.internal.SqlJobRows;

/**
 * PostgreSQL's {@link JdbcHistory}: {@code spindle_history} is a declaratively partitioned table
 * listed through {@code pg_inherits}, partitions are created and dropped under an advisory lock,
 * and the archive and the successes' move ({@code archiveAfter} 0) take jobs in one {@code DELETE ...
 * RETURNING} statement each. Stateless.
 */
public final class PostgresHistory implements JdbcHistory {
  /** The one instance. */
  public static final PostgresHistory INSTANCE = new PostgresHistory();

  /**
   * The largest stored arguments (bytes, {@code pg_column_size}) of a success moved as it completes:
   * larger ones are TOASTed and the history's copy would write them again (on a full disk that
   * stopped completions); they move with the archive.
   */
  static final int MOVED_ARGS_MAX = 2000;

  private PostgresHistory() {}

  @Override
  public String listPartitions() {
    return "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        + " WHERE i.inhparent = 'spindle_history'::regclass";
  }

  @Override
  public String lock() {
    return "SELECT pg_advisory_xact_lock(hashtext('spindle-history:' || current_schema()))";
  }

  @Override
  public String createPartition(String name, long from, long to) {
    return "CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF spindle_history FOR VALUES FROM (" + from + ") TO ("
        + to + ")";
  }

  @Override
  public String exists() {
    return "SELECT to_regclass(?) IS NOT NULL";
  }

  @Override
  public String lockPartition(String name) {
    return "LOCK TABLE " + name + " IN ACCESS EXCLUSIVE MODE";
  }

  @Override
  public String uncount(String name) {
    return "WITH g AS (SELECT queue, state, count(*) AS n FROM " + name + " GROUP BY queue, state), s AS (INSERT INTO"
        + " spindle_history_counts AS h (queue, state, shard, n) SELECT queue, state, 0, -n FROM g ORDER BY queue, state"
        + " ON CONFLICT (queue, state, shard) DO UPDATE SET n = h.n + excluded.n) SELECT coalesce(sum(n), 0) FROM g";
  }

  /**
   * Along the indexes whatever the statistics say (stale ones made the range read scan and sort a
   * whole partition: 550 ms a call); no JIT: a disabled node's cost triggers it (40-190 ms).
   */
  @Override
  public String tuneDeletes() {
    return Db.setLocalSql("enable_seqscan", "off", "enable_sort", "off", "jit", "off");
  }

  @Override
  public String dayIn(String day) {
    return day + " = ANY(?::bigint[])";
  }

  /** The locked ids in {@code ARRAY(...)}: run once (as {@code IN (...)} the planner may run it again per row). */
  @Override
  public String archive(String archivable, String inKnownDay) {
    return "WITH m AS (DELETE FROM spindle_jobs WHERE id = ANY(ARRAY(SELECT j.id FROM spindle_jobs j WHERE " + archivable
        + " AND " + inKnownDay + " ORDER BY j.finished_at LIMIT ? FOR UPDATE SKIP LOCKED)) RETURNING *) INSERT INTO"
        + " spindle_history SELECT * FROM m";
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
   * history row cannot, so the third column flags it and the transaction runs again (the engine's
   * {@code SqlArrayCompletions}).
   */
  @Override
  public String moveSuccesses(String lockCall) {
    PostgresDialect d = PostgresDialect.INSTANCE;
    String expires = "(m.at + p.result_ttl_us)";
    return "WITH m AS MATERIALIZED (SELECT " + lockCall + " AS locked, ?::bigint AS at),"
        + " moved AS (DELETE FROM spindle_jobs j USING m, " + SqlArrayWrites.batch(d, "result text") + ","
        + " spindle_policies p WHERE " + SqlArrayWrites.held(d) + " AND p.id = j.policy_id AND (p.result_ttl_us = 0"
        + " OR (p.result_ttl_us > 0 AND (" + expires + " >= " + SqlHistoryPartitions.FOREVER_US + " OR (" + expires + " / "
        + SqlHistoryPartitions.DAY_US + " = ANY(?::bigint[]) AND " + expires + " % " + SqlHistoryPartitions.DAY_US + " < "
        + (SqlHistoryPartitions.DAY_US - SqlHistoryPartitions.MARGIN_US) + ")) AND pg_column_size(j.args) <= " + MOVED_ARGS_MAX
        + ")) AND NOT EXISTS (SELECT 1 FROM spindle_deps d WHERE d.parent = j.id)"
        + " AND NOT EXISTS (SELECT 1 FROM spindle_deps d WHERE d.child = j.id)"
        + " RETURNING j.*, " + SqlArrayWrites.item(d, "result") + " AS new_result, m.at AS at, " + expires
        + " AS new_expires, p.result_ttl_us AS kept_us),"
        + " ins AS (INSERT INTO spindle_history (id, task, queue, state, priority, args, result, error, dead_reason,"
        + " unique_key, attempt, failures, lost, fence, worker_id, cancel_requested, created_at, run_at, started_at,"
        + " finished_at, expires_at, finish_seq, policy_id, trace_context, flow_key)"
        + " SELECT id, task, queue, " + SqlJobRows.code(JobState.SUCCEEDED) + ", priority, args, new_result, error,"
        + " dead_reason, unique_key, attempt, failures, lost, fence, worker_id, 0, created_at, run_at, started_at,"
        + " at, new_expires, nextval('spindle_finish_seq'), policy_id, trace_context, flow_key FROM moved"
        + " WHERE kept_us > 0 ORDER BY id)"
        // the insert runs to completion unread (as every data-modifying WITH does); a deleted job is done
        + " SELECT id, " + Schema.hasDependents("moved") + ", (SELECT CASE WHEN bool_or(kept_us = 0) THEN "
        + Schema.HAS_DEPENDENTS + "(array_agg(id) FILTER (WHERE kept_us = 0)) ELSE false END FROM moved) FROM moved";
  }
}
