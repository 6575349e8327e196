package dev.spindle.store.sqlite;

import dev.spindle.queue.JobState;
import dev.spindle.store.jdbc.internal.SqlClaims;
import dev.spindle.store.jdbc.internal.SqlFlow;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import dev.spindle.store.jdbc.internal.TraceContextColumn;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.JobRows;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The claim statements of {@link SqliteJobStore} for the engine's claim path ({@link SqlClaims}):
 * per queue one {@code UPDATE ... WHERE id IN (SELECT ...)} along the ready indexes named with
 * {@code INDEXED BY} (keyed jobs one at a time through {@link SqlFlow}), task filters as a JSON
 * array. Queues lately found without keyed ready jobs are claimed from without looking for keys for
 * a while ({@link #KEYLESS_TTL_NANOS}). Thread-safe.
 */
final class SqliteClaims implements SqlClaims.Store<Db.Conn> {
  // The SET clauses of set-based moves, checked against JobState's table when the class loads.
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

  /** Queues found without keyed ready jobs, and when (System.nanoTime); see {@link #KEYLESS_TTL_NANOS}. */
  private final ConcurrentHashMap<String, Long> keyless = new ConcurrentHashMap<>();

  /** A keyed job was enqueued to {@code queue}: its keys are looked for again. */
  void keyedJobAdded(String queue) {
    keyless.remove(queue);
  }

  /** Jobs became ready again (promoted, released, retried): every queue's keys are looked for again. */
  @Override
  public void readied() {
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
