package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The set-based claim statements ({@link SqlClaims.Store}) of a database that binds SQL arrays and
 * skips locked rows (PostgreSQL and its kin): one statement promotes due jobs and reads the queues'
 * rules, then per queue one {@code UPDATE ... WHERE address = ANY(ARRAY(SELECT address ... FOR
 * UPDATE SKIP LOCKED))} along the ready index (keyed jobs one at a time through {@link SqlFlow}),
 * from where the queue's last claim ended when given {@link ClaimPositions}; limited queues take
 * turns under a transaction lock. The non-standard SQL comes from {@link
 * JdbcDialect#setBasedSql()}. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlArrayClaims<C extends JdbcConn> implements SqlClaims.Store<C> {
  /** The most delayed jobs one claim makes ready. */
  private static final int PROMOTE_BATCH = 1000;

  private final JdbcDialect.SetBasedSql sql;
  private final @Nullable ClaimPositions positions;
  private final String takeKeyed;
  private final String takeUnkeyed;
  private final String takeMany;
  private final String takeFrom;
  private final String takeKeyedOf;
  private final String takeUnkeyedOf;
  private final String takeManyOf;
  private final String promoteAndReadRules;

  /**
   * The claim statements in {@code dialect}'s SQL.
   *
   * @param positions where claims of each queue ended, so the next starts there; null: every
   *     claim walks the ready index from its head
   */
  public SqlArrayClaims(JdbcDialect dialect, @Nullable ClaimPositions positions) {
    this.sql = dialect.setBasedSql();
    this.positions = positions;
    String ofTasks = " AND " + dialect.arrayContains("?", "task");
    this.takeKeyed = take(dialect, "queue = ? AND flow_key = ?", "1");
    this.takeUnkeyed = take(dialect, "queue = ? AND flow_key IS NULL", "1");
    this.takeMany = take(dialect, "queue = ? AND flow_key IS NULL", "?");
    this.takeFrom = take(dialect, "queue = ? AND flow_key IS NULL AND priority = ? AND id > ?", "?");
    this.takeKeyedOf = take(dialect, "queue = ? AND flow_key = ?" + ofTasks, "1");
    this.takeUnkeyedOf = take(dialect, "queue = ? AND flow_key IS NULL" + ofTasks, "1");
    this.takeManyOf = take(dialect, "queue = ? AND flow_key IS NULL" + ofTasks, "?");
    this.promoteAndReadRules = promoteAndReadRules(dialect);
  }

  /**
   * Sets up to {@code limit} ready jobs matching {@code where}, in claim order, RUNNING under the
   * worker (parameters: worker id, start time, then those of {@code where} and {@code limit}).
   *
   * <p>The rows are locked in an {@code ARRAY(...)} sub-select, which PostgreSQL runs exactly once.
   * As {@code UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED)} it was a join that, on statistics
   * taken while the table was empty, ran the sub-select again per row, locking more each time (two
   * claims ran for minutes holding 22,000 rows). The update checks only the address: the rows passed
   * the sub-select's conditions when locked (the state condition there keeps it on the ready index).
   * It finds them by their address ({@code ctid}: one heap page per row, not a primary-key descent),
   * which no other transaction can move while this one holds the lock. A row locked in a version
   * newer than the statement's snapshot is not visible at that address: it stays QUEUED for the
   * next claim.
   */
  private static String take(JdbcDialect dialect, String where, String limit) {
    String address = dialect.setBasedSql().rowAddress();
    String locked = "ARRAY(SELECT " + address + " FROM spindle_jobs WHERE state = " + SqlJobRows.QUEUED + " AND "
        + where + " ORDER BY priority DESC, id LIMIT " + limit + " FOR UPDATE SKIP LOCKED)";
    return "UPDATE spindle_jobs j SET " + SqlJobRows.moveTo(JobState.QUEUED, JobState.RUNNING) + ", worker_id = ?,"
        + " fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE "
        + dialect.arrayContains(locked, "j." + address) + " RETURNING " + SqlJobRows.CLAIM_COLUMNS;
  }

  /**
   * A claim's first statement: due jobs become ready (rows another claim is promoting are skipped),
   * and the queues' limits, paused queues, number promoted and next due time are read. Parameters:
   * the time, twice (us).
   */
  private static String promoteAndReadRules(JdbcDialect dialect) {
    String due = "ARRAY(SELECT id FROM spindle_jobs WHERE state = " + SqlJobRows.SCHEDULED + " AND run_at <= ?"
        + " ORDER BY run_at LIMIT " + PROMOTE_BATCH + " FOR UPDATE SKIP LOCKED)";
    return "WITH p AS (UPDATE spindle_jobs j SET " + SqlJobRows.moveTo(JobState.SCHEDULED, JobState.QUEUED)
        + " WHERE " + dialect.arrayContains(due, "j.id") + " RETURNING 1)"
        + " SELECT name, max_running, NULL::bigint FROM spindle_queues"
        + " UNION ALL SELECT queue, -1, NULL FROM spindle_paused"
        + " UNION ALL SELECT NULL, (SELECT count(*) FROM p)::int, (SELECT min(run_at) FROM spindle_jobs"
        + " WHERE state = " + SqlJobRows.SCHEDULED + " AND run_at > ?)";
  }

  /** The promotion and rules query of {@link #promote} (parameters: the time, twice, in us). */
  public String promoteAndReadRules() {
    return promoteAndReadRules;
  }

  /** {@link #takeMany} from a {@link ClaimPositions} position (parameters: worker id, start time, queue, priority, id bound, most jobs). */
  public String takeFrom() {
    return takeFrom;
  }

  /**
   * The dialect's claim settings ({@link JdbcDialect.SetBasedSql#claimSettings}) and {@link
   * #promoteAndReadRules} in one round trip.
   */
  @Override
  public SqlClaims.Rules promote(C c, long nowUs) throws SQLException {
    boolean settings = !sql.claimSettings().isEmpty();
    PreparedStatement rules = c.ps(settings ? sql.claimSettings() + "; " + promoteAndReadRules : promoteAndReadRules);
    rules.setLong(1, nowUs);
    rules.setLong(2, nowUs);
    Map<String, Integer> limits = new HashMap<>();
    int promoted = 0;
    Instant nextDue = null;
    try (ResultSet rs = settings ? afterSettings(rules) : rules.executeQuery()) {
      while (rs.next()) {
        String name = rs.getString(1);
        if (name != null) {
          limits.merge(name, rs.getInt(2), Math::min);
        } else {
          promoted = rs.getInt(2);
          long v = rs.getLong(3);
          nextDue = rs.wasNull() ? null : SqlJobRows.instant(v);
        }
      }
    }
    return new SqlClaims.Rules(limits, promoted, nextDue);
  }

  /**
   * Runs a statement prepared as a settings query {@code + "; " +} a query, both sent in one round
   * trip, and returns the query's rows: the settings apply to the query's planning and to the rest of
   * the transaction.
   */
  public static ResultSet afterSettings(PreparedStatement ps) throws SQLException {
    ps.execute(); // the settings' row
    if (!ps.getMoreResults()) {
      throw new SQLException("the statement sent after the planner settings returned no rows");
    }
    return ps.getResultSet();
  }

  /** As read with the rules; now if a full promotion batch may have left due jobs behind. */
  @Override
  public @Nullable Instant nextDue(C c, SqlClaims.Rules rules, Instant at) {
    return rules.promoted() >= PROMOTE_BATCH ? at : rules.nextDue();
  }

  /** Retried, released, promoted or revived jobs keep their ids: they may be ready before a position. */
  @Override
  public void readied() {
    if (positions != null) {
      positions.readied();
    }
  }

  @Override
  public void enqueued(List<NewJob> jobs, List<EnqueueResult> results) {
    if (positions != null) {
      positions.enqueued(jobs, results);
    }
  }

  /**
   * Takes a queue's unkeyed ready jobs from its {@link ClaimPositions} position, then from the
   * ready index's head if that took fewer than {@code max}. {@code sql} is {@link #takeMany}.
   */
  @Override
  public void takeReady(C c, String sql, String workerId, long nowUs, String queue, @Nullable Set<String> tasks,
      int max, SqlClaims.ClaimedRows rows) throws SQLException {
    ClaimPositions at = positions;
    if (tasks != null || at == null) {
      // a claim of some tasks only passes jobs by: it must not move the queue's position past them
      SqlClaims.Store.super.takeReady(c, sql, workerId, nowUs, queue, tasks, max, rows);
      return;
    }
    long began = at.epoch();
    ClaimPositions.Position from = at.start(queue);
    List<JobInfo> taken = new ArrayList<>();
    if (from != null) {
      takeFrom(c, from, workerId, nowUs, queue, max, rows, taken);
    }
    if (taken.size() < max) {
      int before = taken.size();
      SqlClaims.Store.super.takeReady(c, sql, workerId, nowUs, queue, null, max - before, rs -> {
        JobInfo j = rows.claimed(rs);
        taken.add(j);
        return j;
      });
      from = null; // walked from the head
    }
    at.ended(queue, began, from, taken);
  }

  private void takeFrom(C c, ClaimPositions.Position from, String workerId, long nowUs, String queue, int max,
      SqlClaims.ClaimedRows rows, List<JobInfo> taken) throws SQLException {
    PreparedStatement take = c.ps(takeFrom);
    take.setString(1, workerId);
    take.setLong(2, nowUs);
    take.setString(3, queue);
    take.setInt(4, from.priority());
    take.setLong(5, from.id() - ClaimPositions.SLACK);
    take.setInt(6, max);
    try (ResultSet rs = take.executeQuery()) {
      while (rs.next()) {
        taken.add(rows.claimed(rs));
      }
    }
  }

  @Override
  public String takeOne(@Nullable String key) {
    return key == null ? takeUnkeyed : takeKeyed;
  }

  @Override
  public String takeMany() {
    return takeMany;
  }

  @Override
  public String takeOneOf(@Nullable String key) {
    return key == null ? takeUnkeyedOf : takeKeyedOf;
  }

  @Override
  public String takeManyOf() {
    return takeManyOf;
  }

  @Override
  public void bindTasks(C c, PreparedStatement ps, int index, Set<String> tasks) throws SQLException {
    ps.setArray(index, ps.getConnection().createArrayOf("text", tasks.toArray(String[]::new)));
  }

  /** Claims of a limited queue take turns, so that two workers cannot both fill the last slot. */
  @Override
  public void beforeCount(C c, String queue) throws SQLException {
    PreparedStatement turn = c.ps(sql.queueTurn());
    turn.setString(1, queue);
    turn.execute();
  }
}
