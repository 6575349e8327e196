package dev.spindle.queue.spi.sql;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The SQL that differs between the SQL stores, and only that: row locks (SQLite serializes writers
 * and has none), a scalar maximum, bound id lists, text search, and what must happen before jobs
 * are deleted. Implementations are stateless and thread-safe.
 */
public interface SqlDialect {
  /** Suffix of a SELECT whose rows this transaction will change: {@code " FOR UPDATE"}, or "". */
  String forUpdate();

  /** Suffix of a SELECT whose rows must not change until this transaction ends: {@code " FOR SHARE"}, or "". */
  String forShare();

  /** Suffix of a SELECT that locks the rows of table {@code alias} it can, skipping those others hold; or "". */
  String forUpdateSkipLocked(String alias);

  /** The larger of two SQL expressions ({@code greatest(a, b)} or {@code max(a, b)}). */
  String greatest(String a, String b);

  /** The audit table's column naming who acted ({@code user} is reserved in some databases). */
  String auditUserColumn();

  /** A subquery yielding the ids bound by {@link #bindIds} as one parameter ({@code ?}). */
  String idsParameter();

  /** Binds {@code ids} to parameter {@code index} of a statement using {@link #idsParameter}. */
  void bindIds(SqlConn c, PreparedStatement ps, int index, long[] ids) throws SQLException;

  /** A reference to {@code column} that keeps the planner off the column's own index (or the column). */
  String unindexed(String column);

  /**
   * A scalar sub-select of the smallest ({@code agg} {@code "min"}) or largest ({@code "max"}) id of
   * the jobs of {@code table} created in a range, its two parameters the range's start (inclusive)
   * and end (exclusive) in microseconds since the epoch; null if none. By default along an index on
   * {@code created_at} that holds every job.
   */
  default String createdIdBound(String agg, String table) {
    return "(SELECT " + agg + "(id) FROM " + table + " WHERE created_at >= ? AND created_at < ?)";
  }

  /**
   * How job lists find {@code text} as a case-insensitive substring of the arguments or the error.
   *
   * @param text the text as the user gave it
   */
  TextMatch textMatch(String text);

  /**
   * The jobs readers see, finished ones included: {@code spindle_jobs}, or a view that adds a
   * history table of finished jobs (read-only: rows are locked and changed in {@code spindle_jobs}
   * after {@link #restore}).
   */
  String allJobs();

  /**
   * Moves jobs {@code ids} back from the history table into {@code spindle_jobs} (ids not in the
   * history are ignored), so that an operator's requeue or delete can change them there. Nothing
   * where there is no history.
   */
  void restore(SqlConn c, long[] ids) throws SQLException;

  /**
   * A query of rows (queue, state code, count) that {@link SqlInspector#queueSummaries} sums per
   * queue and state: by default a {@code GROUP BY} over {@code spindle_jobs}; a store with a history
   * table adds the history's per-queue counts (a queue and state may then appear twice).
   */
  default String queueCounts() {
    return "SELECT queue, state, count(*) FROM spindle_jobs GROUP BY queue, state";
  }

  /** Before jobs are deleted, inside the same transaction (SQLite records the highest id: no id is reused). */
  void beforeDeletingJobs(SqlConn c) throws SQLException;

  /**
   * A text condition on jobs.
   *
   * @param from the FROM source that holds {@code spindle_jobs}' columns ({@code spindle_jobs}
   *     itself: the table the filter reads, see {@link SqlFilter#of(dev.spindle.queue.spi.JobFilter,
   *     SqlDialect, String)})
   * @param id the id column of {@code from} to order and page by
   * @param condition the condition, starting with {@code " AND "}
   * @param args its arguments, in order
   * @param drivesRows whether an index on the text drives the rows (then time ranges are checked
   *     per row instead of becoming id ranges first)
   */
  record TextMatch(String from, String id, String condition, List<Object> args, boolean drivesRows) {
    /** Copies the arguments. */
    public TextMatch {
      args = List.copyOf(args);
    }
  }
}
