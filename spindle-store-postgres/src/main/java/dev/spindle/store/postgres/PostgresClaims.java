package dev.spindle.store.postgres;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.jdbc.internal.SqlClaims;
import dev.spindle.store.jdbc.internal.SqlFlow;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.JobRows;
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
 * The claim statements of {@link PostgresJobStore} for the engine's {@link SqlClaims}: one statement
 * promotes due jobs and reads the queues' rules, then per queue one {@code UPDATE ... WHERE ctid =
 * ANY(ARRAY(SELECT ctid ... FOR UPDATE SKIP LOCKED))} along the ready index (keyed jobs one at a
 * time through {@link SqlFlow}) from where the queue's last claim ended ({@link ClaimPositions});
 * limited queues take turns under an advisory lock. Thread-safe.
 */
final class PostgresClaims implements SqlClaims.Store<Db.Conn> {
  // The SET clauses of set-based moves, checked against JobState's table when the class loads.
  private static final String SCHEDULED_TO_QUEUED = JobRows.moveTo(JobState.SCHEDULED, JobState.QUEUED);
  private static final String QUEUED_TO_RUNNING = JobRows.moveTo(JobState.QUEUED, JobState.RUNNING);
  /** Claims the best ready job of a queue and flow key, skipping rows other claims hold ({@link SqlFlow}). */
  static final String TAKE_KEYED = take("queue = ? AND flow_key = ?", "1");
  /** Claims the best ready job without a flow key of a queue that has keyed ones. */
  static final String TAKE_UNKEYED = take("queue = ? AND flow_key IS NULL", "1");
  /**
   * Takes up to n ready jobs without a flow key of a queue in claim order, skipping rows other
   * claims hold. Keyed jobs committed after the keyed claim looked are left to the next claim,
   * which checks their limits.
   */
  static final String TAKE_MANY = take("queue = ? AND flow_key IS NULL", "?");
  /**
   * {@link #TAKE_MANY} from a {@link ClaimPositions} position: one priority, ids above a bound
   * (parameters: worker id, start time, queue, priority, id bound, most jobs).
   */
  static final String TAKE_FROM = take("queue = ? AND flow_key IS NULL AND priority = ? AND id > ?", "?");
  /** {@link #TAKE_KEYED} of the given tasks only (a {@code text[]} parameter after the key). */
  static final String TAKE_KEYED_OF = take("queue = ? AND flow_key = ? AND task = ANY(?)", "1");
  /** {@link #TAKE_UNKEYED} of the given tasks only. */
  static final String TAKE_UNKEYED_OF = take("queue = ? AND flow_key IS NULL AND task = ANY(?)", "1");
  /** {@link #TAKE_MANY} of the given tasks only, from the head of the ready index (no positions). */
  static final String TAKE_MANY_OF = take("queue = ? AND flow_key IS NULL AND task = ANY(?)", "?");

  /**
   * Sets up to {@code limit} ready jobs matching {@code where}, in claim order, RUNNING under the
   * worker (parameters: worker id, start time, then those of {@code where} and {@code limit}).
   *
   * <p>The rows are locked in an {@code ARRAY(...)} sub-select, which PostgreSQL runs exactly once.
   * As {@code UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED)} it was a join that, on statistics
   * taken while the table was empty, ran the sub-select again per row, locking more each time (two
   * claims ran for minutes holding 22,000 rows). The update checks only the address: the rows passed
   * the sub-select's conditions when locked (the state condition there keeps it on the ready index).
   * It finds them by {@code ctid} (one heap page per row, not a primary-key descent), which no other
   * transaction can move while this one holds the lock. A row locked in a version newer than the
   * statement's snapshot is not visible at that address: it stays QUEUED for the next claim.
   */
  private static String take(String where, String limit) {
    return "UPDATE spindle_jobs j SET " + QUEUED_TO_RUNNING + ", worker_id = ?, fence = fence + 1,"
        + " attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE j.ctid = ANY(ARRAY(SELECT ctid"
        + " FROM spindle_jobs WHERE state = " + JobRows.QUEUED + " AND " + where + " ORDER BY priority DESC, id"
        + " LIMIT " + limit + " FOR UPDATE SKIP LOCKED)) RETURNING " + JobRows.CLAIM_COLUMNS;
  }

  /**
   * The planner settings of a claim's transaction, sent in its first round trip, so its statements
   * follow the ordered indexes ({@code spindle_jobs_ready_plain}, {@code spindle_jobs_scheduled})
   * whatever the statistics say. Statistics taken while the table held only dead rows (a VACUUM
   * after a drain while another transaction was open) read as empty however much it grew: a claim
   * of 64 jobs then read and sorted a 200,000-job burst, 80-110 ms ({@code
   * PostgresStaleStatisticsTest}). No JIT: a plan holding a disabled sort (fair queues' keys) costs
   * over {@code jit_above_cost}, and compiling takes tens of milliseconds.
   */
  static final String PLANNER_SETTINGS = Db.setLocalSql("enable_sort", "off", "jit", "off");

  /** The most delayed jobs one claim makes ready. */
  private static final int PROMOTE_BATCH = 1000;

  /**
   * A claim's first statement: due jobs become ready (rows another claim is promoting are skipped),
   * and the queues' limits, paused queues, number promoted and next due time are read. Parameters:
   * the time, twice (us).
   */
  static final String PROMOTE_AND_READ_RULES = "WITH p AS (UPDATE spindle_jobs j SET " + SCHEDULED_TO_QUEUED
      + " WHERE j.id = ANY(ARRAY(SELECT id FROM spindle_jobs WHERE state = " + JobRows.SCHEDULED + " AND run_at <= ?"
      + " ORDER BY run_at LIMIT " + PROMOTE_BATCH + " FOR UPDATE SKIP LOCKED)) RETURNING 1)"
      + " SELECT name, max_running, NULL::bigint FROM spindle_queues"
      + " UNION ALL SELECT queue, -1, NULL FROM spindle_paused"
      + " UNION ALL SELECT NULL, (SELECT count(*) FROM p)::int, (SELECT min(run_at) FROM spindle_jobs"
      + " WHERE state = " + JobRows.SCHEDULED + " AND run_at > ?)";

  private final ClaimPositions positions;

  PostgresClaims(ClaimPositions positions) {
    this.positions = positions;
  }

  /** {@link #PLANNER_SETTINGS} and {@link #PROMOTE_AND_READ_RULES} in one round trip. */
  @Override
  public SqlClaims.Rules promote(Db.Conn c, long nowUs) throws SQLException {
    PreparedStatement rules = c.ps(PLANNER_SETTINGS + "; " + PROMOTE_AND_READ_RULES);
    rules.setLong(1, nowUs);
    rules.setLong(2, nowUs);
    Map<String, Integer> limits = new HashMap<>();
    int promoted = 0;
    Instant nextDue = null;
    try (ResultSet rs = c.queryAfterSetLocal(rules)) {
      while (rs.next()) {
        String name = rs.getString(1);
        if (name != null) {
          limits.merge(name, rs.getInt(2), Math::min);
        } else {
          promoted = rs.getInt(2);
          long v = rs.getLong(3);
          nextDue = rs.wasNull() ? null : JobRows.instant(v);
        }
      }
    }
    return new SqlClaims.Rules(limits, promoted, nextDue);
  }

  /** As read with the rules; now if a full promotion batch may have left due jobs behind. */
  @Override
  public @Nullable Instant nextDue(Db.Conn c, SqlClaims.Rules rules, Instant at) {
    return rules.promoted() >= PROMOTE_BATCH ? at : rules.nextDue();
  }

  /** Retried, released, promoted or revived jobs keep their ids: they may be ready before a position. */
  @Override
  public void readied() {
    positions.readied();
  }

  @Override
  public void enqueued(List<NewJob> jobs, List<EnqueueResult> results) {
    positions.enqueued(jobs, results);
  }

  /**
   * Takes a queue's unkeyed ready jobs from its {@link ClaimPositions} position, then from the
   * ready index's head if that took fewer than {@code max}. {@code sql} is {@link #TAKE_MANY}.
   */
  @Override
  public void takeReady(Db.Conn c, String sql, String workerId, long nowUs, String queue,
      @Nullable Set<String> tasks, int max, SqlClaims.ClaimedRows rows) throws SQLException {
    if (tasks != null) {
      // a claim of some tasks only passes jobs by: it must not move the queue's position past them
      SqlClaims.Store.super.takeReady(c, sql, workerId, nowUs, queue, tasks, max, rows);
      return;
    }
    long began = positions.epoch();
    ClaimPositions.Position from = positions.start(queue);
    List<JobInfo> taken = new ArrayList<>();
    if (from != null) {
      PreparedStatement take = c.ps(TAKE_FROM);
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
    if (taken.size() < max) {
      int before = taken.size();
      SqlClaims.Store.super.takeReady(c, sql, workerId, nowUs, queue, null, max - before, rs -> {
        JobInfo j = rows.claimed(rs);
        taken.add(j);
        return j;
      });
      from = null; // walked from the head
    }
    positions.ended(queue, began, from, taken);
  }

  @Override
  public String takeOne(@Nullable String key) {
    return key == null ? TAKE_UNKEYED : TAKE_KEYED;
  }

  @Override
  public String takeMany() {
    return TAKE_MANY;
  }

  @Override
  public String takeOneOf(@Nullable String key) {
    return key == null ? TAKE_UNKEYED_OF : TAKE_KEYED_OF;
  }

  @Override
  public String takeManyOf() {
    return TAKE_MANY_OF;
  }

  @Override
  public void bindTasks(Db.Conn c, PreparedStatement ps, int index, Set<String> tasks) throws SQLException {
    ps.setArray(index, ps.getConnection().createArrayOf("text", tasks.toArray(String[]::new)));
  }

  /** Claims of a limited queue take turns, so that two workers cannot both fill the last slot. */
  @Override
  public void beforeCount(Db.Conn c, String queue) throws SQLException {
    PreparedStatement turn = c.ps("SELECT pg_advisory_xact_lock(hashtext('spindle-queue:' || current_schema()"
        + " || ':' || ?))");
    turn.setString(1, queue);
    turn.execute();
  }
}
