package dev.spindle.store.sqlite;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.store.jdbc.internal.SqlClaims;
import dev.spindle.store.jdbc.internal.SqlFlow;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import dev.spindle.store.jdbc.internal.SqlPolicies;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.JobRows;
import dev.spindle.store.sqlite.internal.TraceContextColumn;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The claim path of {@link SqliteJobStore}, inside the caller's (write) transaction: due delayed
 * jobs promoted, the queues' rules read, then per queue ({@link SqlClaims}) one {@code UPDATE ...
 * WHERE id IN (SELECT ...)} along the ready indexes (keyed jobs one at a time through {@link
 * SqlFlow}). Queues lately found without keyed ready jobs are claimed from without looking for keys
 * for a while ({@link #KEYLESS_TTL_NANOS}). Thread-safe.
 */
final class SqliteClaims implements SqlClaims.Store<Db.Conn> {
  // The SET clauses of set-based moves, checked against JobState's table when the class loads.
  private static final String SCHEDULED_TO_QUEUED = JobRows.moveTo(JobState.SCHEDULED, JobState.QUEUED);
  private static final String QUEUED_TO_RUNNING = JobRows.moveTo(JobState.QUEUED, JobState.RUNNING);
  /** Claims the best ready job of a queue and flow key ({@link SqlFlow}). */
  private static final String TAKE_KEYED = "UPDATE spindle_jobs SET " + QUEUED_TO_RUNNING + ", worker_id = ?,"
      + " fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE id = (SELECT id"
      + " FROM spindle_jobs INDEXED BY spindle_jobs_flow_ready WHERE state = " + JobRows.QUEUED
      + " AND queue = ? AND flow_key = ?"
      + " ORDER BY priority DESC, id LIMIT 1) RETURNING " + JobRows.CLAIM_COLUMNS;
  /** Claims the best ready job without a flow key of a queue that has keyed ones. */
  private static final String TAKE_UNKEYED = "UPDATE spindle_jobs SET " + QUEUED_TO_RUNNING + ", worker_id = ?,"
      + " fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE id = (SELECT id"
      + " FROM spindle_jobs INDEXED BY spindle_jobs_ready_plain WHERE state = " + JobRows.QUEUED
      + " AND queue = ? AND flow_key IS NULL"
      + " ORDER BY priority DESC, id LIMIT 1) RETURNING " + JobRows.CLAIM_COLUMNS;
  /** Claims the best ready jobs of a queue, keyed or not. */
  private static final String TAKE_ANY = "UPDATE spindle_jobs SET " + QUEUED_TO_RUNNING
      + ", worker_id = ?, fence = fence + 1,"
      + " attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE id IN (SELECT id FROM spindle_jobs"
      + " WHERE state = " + JobRows.QUEUED + " AND queue = ? ORDER BY priority DESC, id LIMIT ?) RETURNING "
      + JobRows.CLAIM_COLUMNS;
  /** Claims the best ready jobs without a flow key of a queue known to have no keyed ones. */
  private static final String TAKE_PLAIN = "UPDATE spindle_jobs SET " + QUEUED_TO_RUNNING + ", worker_id = ?,"
      + " fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE id IN (SELECT id"
      + " FROM spindle_jobs INDEXED BY spindle_jobs_ready_plain WHERE state = " + JobRows.QUEUED
      + " AND queue = ? AND flow_key IS NULL ORDER BY priority DESC, id LIMIT ?) RETURNING " + JobRows.CLAIM_COLUMNS;
  /** A filtered claim's condition on the task: its parameter is the task names as a JSON array. */
  private static final String OF_TASKS = " AND task IN (SELECT value FROM json_each(?))";
  /** {@link #TAKE_KEYED} of the given tasks only. */
  private static final String TAKE_KEYED_OF = ofTasks(TAKE_KEYED, " AND flow_key = ?", " AND flow_key = ?");
  /** {@link #TAKE_UNKEYED} of the given tasks only. */
  private static final String TAKE_UNKEYED_OF = ofTasks(TAKE_UNKEYED, " AND flow_key IS NULL", " AND flow_key IS NULL");
  /** {@link #TAKE_ANY} of the given tasks only, along the ready index in claim order. */
  private static final String TAKE_ANY_OF = ofTasks(TAKE_ANY, "FROM spindle_jobs WHERE state = " + JobRows.QUEUED
      + " AND queue = ?", "FROM spindle_jobs INDEXED BY spindle_jobs_ready WHERE state = " + JobRows.QUEUED
      + " AND queue = ?");

  /** {@code sql} with {@code anchor} (which it holds once) replaced by {@code by} and {@link #OF_TASKS}. */
  private static String ofTasks(String sql, String anchor, String by) {
    int at = sql.indexOf(anchor);
    if (at < 0 || sql.indexOf(anchor, at + 1) >= 0) {
      throw new IllegalStateException("no single '" + anchor + "' in " + sql);
    }
    return sql.substring(0, at) + by + OF_TASKS + sql.substring(at + anchor.length());
  }

  /**
   * How long a queue found without keyed ready jobs is claimed from without looking for keys
   * (ns): its claims take unkeyed jobs only ({@link #TAKE_PLAIN}), so a keyed job another process
   * enqueues meanwhile waits at most this long, and is never taken past its limits.
   */
  private static final long KEYLESS_TTL_NANOS = 20_000_000L;

  private final Clock clock;
  private final SqlFlow<Db.Conn> flow;
  private final SqlClaims<Db.Conn> queues;
  /** Queues found without keyed ready jobs, and when (System.nanoTime); see {@link #KEYLESS_TTL_NANOS}. */
  private final ConcurrentHashMap<String, Long> keyless = new ConcurrentHashMap<>();

  SqliteClaims(Clock clock, SqlFlow<Db.Conn> flow, SqlPolicies policies) {
    this.clock = clock;
    this.flow = flow;
    this.queues = new SqlClaims<>(flow, policies, this);
  }

  /** Claims in the caller's transaction, statistics added. */
  ClaimResult claimTx(Db.Conn c, ClaimRequest req) throws SQLException {
    Instant at = clock.instant();
    long now = JobRows.micros(at);
    PreparedStatement promote = c.ps("UPDATE spindle_jobs SET " + SCHEDULED_TO_QUEUED + " WHERE state = "
        + JobRows.SCHEDULED + " AND run_at <= ?");
    promote.setLong(1, now);
    if (promote.executeUpdate() > 0) {
      flow.readied();
      keyless.clear();
    }
    Map<String, Integer> limits = claimRules(c);
    Map<Integer, Long> stats = new HashMap<>();
    SqlClaims.Taken taken = queues.take(c, req, limits, at, stats);
    if (!taken.jobs().isEmpty()) {
      SqliteStatistics.addStats(c, at, stats);
    }
    Instant next = null;
    if (taken.remaining() > 0) {
      PreparedStatement ps = c.ps("SELECT run_at FROM spindle_jobs WHERE state = " + JobRows.SCHEDULED
          + " ORDER BY run_at LIMIT 1");
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          next = JobRows.instant(rs.getLong(1));
        }
      }
    }
    return new ClaimResult(taken.jobs(), taken.next(next));
  }

  /** Queue limits, with -1 for paused queues, in one query. */
  private static Map<String, Integer> claimRules(Db.Conn c) throws SQLException {
    Map<String, Integer> m = new HashMap<>();
    try (ResultSet rs = c.ps("SELECT name, max_running FROM spindle_queues UNION ALL SELECT queue, -1 FROM"
        + " spindle_paused").executeQuery()) {
      while (rs.next()) {
        m.merge(rs.getString(1), rs.getInt(2), Math::min);
      }
    }
    return m;
  }

  /** A keyed job was enqueued to {@code queue}: its keys are looked for again. */
  void keyedJobAdded(String queue) {
    keyless.remove(queue);
  }

  /** Jobs became ready again (released, retried): every queue's keys are looked for again. */
  void jobsReadied() {
    keyless.clear();
  }

  @Override
  public String takeOne(@Nullable String key) {
    return key == null ? TAKE_UNKEYED : TAKE_KEYED;
  }

  @Override
  public String takeMany() {
    return TAKE_ANY;
  }

  @Override
  public String takeOneOf(@Nullable String key) {
    return key == null ? TAKE_UNKEYED_OF : TAKE_KEYED_OF;
  }

  @Override
  public String takeManyOf() {
    return TAKE_ANY_OF;
  }

  @Override
  public void bindTasks(Db.Conn c, PreparedStatement ps, int index, Set<String> tasks) throws SQLException {
    ps.setString(index, jsonArray(tasks));
  }

  /** The names as a JSON array of strings. */
  static String jsonArray(Set<String> names) {
    StringBuilder b = new StringBuilder("[");
    for (String n : names) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append('"').append(n.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return b.append(']').toString();
  }

  @Override
  public @Nullable String takePlain(String queue) {
    Long keylessAt = keyless.get(queue);
    return keylessAt != null && System.nanoTime() - keylessAt < KEYLESS_TTL_NANOS ? TAKE_PLAIN : null;
  }

  @Override
  public void noKeyedJobs(String queue) {
    keyless.put(queue, System.nanoTime());
  }

  @Override
  public SqlJobRows.TraceContextReader traceContexts() {
    return TraceContextColumn::read;
  }
}
