package dev.spindle.store.postgres.internal;

import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import dev.spindle.store.jdbc.JdbcHistory;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * PostgreSQL's {@link JdbcDialect}: row locks ({@code FOR UPDATE}, {@code FOR SHARE}, {@code SKIP
 * LOCKED}), {@code greatest(a, b)}, id lists as one {@code bigint[]} parameter, and text as a
 * case-insensitive substring ({@code ILIKE}, along trigram indexes) of the arguments or the error, and finished jobs
 * read through {@code spindle_all_jobs} (the hot table and the partitioned history). Stateless.
 */
public final class PostgresDialect implements JdbcDialect {
  /** The one instance. */
  public static final PostgresDialect INSTANCE = new PostgresDialect();

  private static final ArrayFinishes ARRAY_FINISHES = new ArrayFinishes("nextval('spindle_finish_seq')",
      Schema::hasDependents, Db.setLocalSql("plan_cache_mode", "force_generic_plan"));

  private PostgresDialect() {}

  @Override
  public String name() {
    return "postgresql";
  }

  /**
   * By SQLSTATE: 40P01 and 40001 are serialization failures, 23505 a unique violation, class 08 and
   * 57P01 (ended by an administrator, as {@code pg_terminate_backend} does) a lost connection: the
   * pool drops it, and a read may run again on another; a write may not (its commit may have happened).
   */
  @Override
  public ErrorKind classify(SQLException e) {
    String s = state(e);
    return switch (s) {
      case "40P01", "40001" -> ErrorKind.SERIALIZATION_FAILURE;
      case "23505" -> ErrorKind.UNIQUE_VIOLATION;
      case "57P01" -> ErrorKind.CONNECTION_LOST;
      default -> s.startsWith("08") ? ErrorKind.CONNECTION_LOST : ErrorKind.OTHER;
    };
  }

  /** A HikariCP pool of connections writing concurrently under row locks. */
  @Override
  public Writers writers() {
    return Writers.POOL;
  }

  /** Column arrays in rounds: one network round trip per outcome whatever the batch's size. */
  @Override
  public Batching batching() {
    return Batching.ARRAY_ROUNDS;
  }

  @Override
  public String idsParameter() {
    return "SELECT unnest(?::bigint[])";
  }

  @Override
  public void bindIds(JdbcConn c, PreparedStatement ps, int index, long[] ids) throws SQLException {
    Long[] boxed = new Long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      boxed[i] = ids[i];
    }
    ps.setArray(index, c.jdbc().createArrayOf("int8", boxed));
  }

  /**
   * {@code spindle_jobs_created} leaves RUNNING jobs out (a claim then writes two index entries, not
   * three): the bound is taken over the jobs along it and over the running jobs along
   * {@code spindle_jobs_running} (as many as the workers' slots), which are all in the hot table.
   */
  @Override
  public String createdIdBound(String agg, String table) {
    String inRange = " AND created_at >= r.lo AND created_at < r.hi";
    return "(SELECT " + agg + "(x.id) FROM (SELECT ?::bigint AS lo, ?::bigint AS hi) r,"
        + " LATERAL (SELECT " + agg + "(id) AS id FROM " + table + " WHERE state <> " + SqlJobRows.RUNNING + inRange
        + " UNION ALL SELECT " + agg + "(id) FROM spindle_jobs WHERE state = " + SqlJobRows.RUNNING + inRange + ") x)";
  }

  /** Text search looks at the first this many characters of the arguments and of the error. */
  public static final int TEXT_PREFIX = 1024;

  /**
   * {@code ILIKE} on the first {@link #TEXT_PREFIX} characters of the arguments or the error: the
   * trigram GIN indexes of both tables (schema 6, {@code pg_trgm}) find the rows, then time ranges
   * are checked per row.
   */
  @Override
  public TextMatch textMatch(String text) {
    String like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    String args = "left(args, " + TEXT_PREFIX + ") ILIKE ?";
    String error = "left(error, " + TEXT_PREFIX + ") ILIKE ?";
    // three arms, one per index: the hot table's trigram indexes leave running jobs (and jobs without
    // an error) out (schema 7), so those are found through spindle_jobs_running; the history's cover all
    String running = String.valueOf(SqlJobRows.RUNNING);
    return new TextMatch("spindle_jobs", "id", " AND ((state <> " + running + " AND " + args + ") OR (state <> "
        + running + " AND error IS NOT NULL AND " + error + ") OR (state = " + running + " AND (" + args + " OR "
        + error + ")))", List.of(like, like, like, like), true);
  }

  /** The history partitioned by expiry day ({@link PostgresHistory}). */
  @Override
  public Optional<JdbcHistory> history() {
    return Optional.of(PostgresHistory.INSTANCE);
  }

  /** {@code spindle_all_jobs}: {@code spindle_jobs UNION ALL spindle_history}. */
  @Override
  public String allJobs() {
    return "spindle_all_jobs";
  }

  /**
   * The hot table's counts plus the history's, which triggers keep in {@code spindle_history_counts}
   * (counting the partitioned history on every dashboard tick would read all of it).
   */
  @Override
  public String queueCounts() {
    return "SELECT queue, state, count(*) FROM spindle_jobs GROUP BY queue, state"
        + " UNION ALL SELECT queue, state, n FROM spindle_history_counts WHERE n <> 0";
  }

  /** Moves the rows from {@code spindle_history} back into {@code spindle_jobs}, in one statement. */
  @Override
  public void restore(JdbcConn c, long[] ids) throws SQLException {
    PreparedStatement ps = c.ps("WITH m AS (DELETE FROM spindle_history WHERE id IN (" + idsParameter()
        + ") RETURNING *) INSERT INTO spindle_jobs SELECT * FROM m");
    bindIds(c, ps, 1, ids);
    ps.executeUpdate();
  }

  /**
   * Finish numbers from {@code spindle_finish_seq}, dependents read by {@link Schema#hasDependents},
   * and each call's rounds planned once per connection ({@code plan_cache_mode}).
   */
  @Override
  public Optional<ArrayFinishes> arrayFinishes() {
    return Optional.of(ARRAY_FINISHES);
  }

  /** The SQLSTATE of {@code e} or of the first SQLException among its causes, or "". */
  static String state(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        return s.getSQLState();
      }
    }
    return "";
  }
}
