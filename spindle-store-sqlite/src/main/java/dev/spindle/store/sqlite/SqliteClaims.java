package dev.spindle.store.sqlite;

import dev.spindle.queue.JobState;
import dev.spindle.store.jdbc.internal.SqlClaims;
import dev.spindle.store.jdbc.internal.SqlFlow;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import dev.spindle.store.jdbc.internal.TraceContextColumn;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.JobRows;
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
  /** Claims the best ready job of a queue and flow key ({@link SqlFlow}). */
  private static final String TAKE_KEYED = take(" INDEXED BY spindle_jobs_flow_ready", " AND flow_key = ?", false);
  /** Claims the best ready job without a flow key of a queue that has keyed ones. */
  private static final String TAKE_UNKEYED = take(" INDEXED BY spindle_jobs_ready_plain", " AND flow_key IS NULL",
      false);
  /** Claims the best ready jobs of a queue, keyed or not. */
  private static final String TAKE_ANY = take("", "", true);
  /** Claims the best ready jobs without a flow key of a queue known to have no keyed ones. */
  private static final String TAKE_PLAIN = take(" INDEXED BY spindle_jobs_ready_plain", " AND flow_key IS NULL", true);
  /** A filtered claim's condition on the task: its parameter is the task names as a JSON array. */
  private static final String OF_TASKS = " AND task IN (SELECT value FROM json_each(?))";
  /** {@link #TAKE_KEYED} of the given tasks only. */
  private static final String TAKE_KEYED_OF = take(" INDEXED BY spindle_jobs_flow_ready",
      " AND flow_key = ?" + OF_TASKS, false);
  /** {@link #TAKE_UNKEYED} of the given tasks only. */
  private static final String TAKE_UNKEYED_OF = take(" INDEXED BY spindle_jobs_ready_plain",
      " AND flow_key IS NULL" + OF_TASKS, false);
  /** {@link #TAKE_ANY} of the given tasks only, along the ready index in claim order. */
  private static final String TAKE_ANY_OF = take(" INDEXED BY spindle_jobs_ready", OF_TASKS, true);

  /**
   * The claim of a queue's best ready job ({@code many}: the best {@code LIMIT ?}) along {@code
   * index}, matching {@code where} too; the move's SET clause checked against JobState's table when
   * the class loads. Parameters: worker, start time, queue, then those of {@code where}, then the limit.
   */
  private static String take(String index, String where, boolean many) {
    return "UPDATE spindle_jobs SET " + JobRows.moveTo(JobState.QUEUED, JobState.RUNNING) + ", worker_id = ?,"
        + " fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE id "
        + (many ? "IN" : "=") + " (SELECT id FROM spindle_jobs" + index + " WHERE state = " + JobRows.QUEUED
        + " AND queue = ?" + where + " ORDER BY priority DESC, id LIMIT " + (many ? "?" : "1") + ") RETURNING "
        + JobRows.CLAIM_COLUMNS;
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
