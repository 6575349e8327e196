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
 * The claim statements of {@link PostgresJobStore} for the engine's claim path ({@link SqlClaims}):
 * due delayed jobs promoted and the queues' rules read in one statement, then per queue one
 * {@code UPDATE ... WHERE ctid = ANY(ARRAY(SELECT ctid ... FOR UPDATE SKIP LOCKED))} along the ready index (keyed jobs one
 * at a time through {@link SqlFlow}), starting where the last claim of the queue ended ({@link
 * ClaimPositions}), limited queues taking turns under an advisory lock.
 * Thread-safe (stateless apart from its collaborators).
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
   * Locks up to n ready rows without a flow key of a queue in claim order along spindle_jobs_ready,
   * skipping rows other claims hold, and takes them. Used once the keyed claim found no keyed ready
   * job; keyed jobs a producer commits after that look are left to the next claim, which checks
   * their limits (taking them here would pass a limit by).
   */
  static final String TAKE_MANY = take("queue = ? AND flow_key IS NULL", "?");
  /**
   * {@link #TAKE_MANY} from a position ({@link ClaimPositions}): only jobs of one priority with ids
   * above a bound, so the walk along spindle_jobs_ready_plain starts there. Its parameters: the
   * worker id, the start time, the queue, the priority, the id bound, the most jobs.
   */
  static final String TAKE_FROM = take("queue = ? AND flow_key IS NULL AND priority = ? AND id > ?", "?");
  /** {@link #TAKE_KEYED} of the given tasks only (a {@code text[]} parameter after the key). */
  static final String TAKE_KEYED_OF = take("queue = ? AND flow_key = ? AND task = ANY(?)", "1");
  /** {@link #TAKE_UNKEYED} of the given tasks only. */
  static final String TAKE_UNKEYED_OF = take("queue = ? AND flow_key IS NULL AND task = ANY(?)", "1");
  /** {@link #TAKE_MANY} of the given tasks only, from the head of the ready index (no positions). */
  static final String TAKE_MANY_OF = take("queue = ? AND flow_key IS NULL AND task = ANY(?)", "?");

  /**
   * The statement that sets the ready jobs matching {@code where}, at most {@code limit} of them in
   * claim order, RUNNING under the worker (its parameters: the worker id, the start time, then
   * those of {@code where} and {@code limit}). The rows are locked ({@code FOR UPDATE SKIP LOCKED})
   * in an {@code ARRAY(...)} sub-select, which PostgreSQL runs exactly once, before the update
   * looks them up by id. As {@code UPDATE ... FROM (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)} it
   * was a join, and with the table's statistics taken while it was empty (an autovacuum just after
   * a drain) the planner put the sub-select inside a nested loop: it ran again, and walked the
   * ready index again, for every row of the table, locking more rows each time (two claims ran for
   * minutes with 22,000 rows locked in the benchmark). The update checks nothing but the row's
   * address: the rows are locked as they passed the sub-select's conditions (a condition on the
   * state let the planner look them up along the ready index). It finds them by {@code ctid} (a
   * TID scan: one heap page per row, where a lookup by id descended the primary key for each),
   * which no other transaction can move while this one holds the row's lock. A row the sub-select
   * locked in a version newer than the statement's snapshot (updated and committed meanwhile) is
   * not visible to the update at that address: it is left QUEUED, unclaimed, for the next claim.
   */
  private static String take(String where, String limit) {
    return "UPDATE spindle_jobs j SET " + QUEUED_TO_RUNNING + ", worker_id = ?, fence = fence + 1,"
        + " attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE j.ctid = ANY(ARRAY(SELECT ctid"
        + " FROM spindle_jobs WHERE state = " + JobRows.QUEUED + " AND " + where + " ORDER BY priority DESC, id"
        + " LIMIT " + limit + " FOR UPDATE SKIP LOCKED)) RETURNING " + JobRows.CLAIM_COLUMNS;
  }

  /**
   * The planner settings of a claim's transaction, set in its first round trip: its statements
   * follow the indexes that hold their rows in order ({@code spindle_jobs_ready_plain},
   * {@code spindle_jobs_scheduled}) whatever the statistics say. Statistics taken while the table
   * was empty save for dead rows an older transaction could still see (a VACUUM after a drain,
   * while any other transaction was open) give it one page and no rows; the planner then reads the
   * table as holding no rows however much it grew, and a claim of 64 jobs of a 200,000-job burst
   * read all of them along {@code spindle_jobs_created} and sorted them, spilling to disk (80-110 ms
   * a claim; {@code PostgresStaleStatisticsTest}). No JIT: a plan holding a sort the settings
   * disable (the fair queues' keys, which no index holds in order) costs over
   * {@code jit_above_cost}, and compiling takes tens of milliseconds.
   */
  static final String PLANNER_SETTINGS = Db.setLocalSql("enable_sort", "off", "jit", "off");

  /** The most delayed jobs one claim makes ready. */
  private static final int PROMOTE_BATCH = 1000;

  /**
   * A claim's first statement: due delayed jobs become ready (rows another claim is promoting are
   * skipped, not waited for), and the queues' limits, the paused queues, the number promoted and the
   * next due time are read. Its parameters: the time, twice (us).
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

  /**
   * The planner settings and {@link #PROMOTE_AND_READ_RULES} in one round trip: due jobs made
   * ready, the queues' rules and the next due time read.
   */
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
   * Takes a queue's ready jobs without a flow key from where this store's last claim of it ended
   * ({@link ClaimPositions}), then, if that took fewer than {@code max}, walks from the head of the
   * ready index for the rest. {@code sql} is {@link #TAKE_MANY}.
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
