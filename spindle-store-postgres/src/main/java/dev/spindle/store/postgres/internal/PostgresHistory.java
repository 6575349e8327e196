package dev.spindle.store.postgres.internal;

import dev.spindle.store.jdbc.JdbcHistory;

/**
 * PostgreSQL's {@link JdbcHistory}: {@code spindle_history} is a declaratively partitioned table
 * listed through {@code pg_inherits}, partitions are created and dropped under an advisory lock,
 * and the archive moves jobs in one {@code DELETE ... RETURNING} statement. Stateless.
 */
public final class PostgresHistory implements JdbcHistory {
  /** The one instance. */
  public static final PostgresHistory INSTANCE = new PostgresHistory();

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
}
