package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The claim statements ({@link SqlClaims.Store}) of a database with {@code UPDATE ... RETURNING}
 * whose writers are serialized (SQLite): per queue one {@code UPDATE ... WHERE id IN (SELECT ...)}
 * along the ready indexes the dialect may name ({@link JdbcDialect#indexedBy}), keyed jobs one at
 * a time through {@link SqlFlow}, task filters as one parameter ({@link
 * JdbcDialect#namesParameter}). Queues lately found without keyed ready jobs are claimed from
 * without looking for keys for a while ({@link #KEYLESS_TTL_NANOS}). Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlReturningClaims<C extends JdbcConn> implements SqlClaims.Store<C> {
  /**
   * How long a queue found without keyed ready jobs is claimed from without looking for keys
   * (ns): its claims take unkeyed jobs only ({@link #takePlain}), so a keyed job another process
   * enqueues meanwhile waits at most this long, and is never taken past its limits.
   */
  private static final long KEYLESS_TTL_NANOS = 20_000_000L;

  private final String takeKeyed;
  private final String takeUnkeyed;
  private final String takeAny;
  private final String takePlain;
  private final String takeKeyedOf;
  private final String takeUnkeyedOf;
  private final String takeAnyOf;
  private final SqlJobRows.TraceContextReader traces;

  /** Queues found without keyed ready jobs, and when (System.nanoTime); see {@link #KEYLESS_TTL_NANOS}. */
  private final ConcurrentHashMap<String, Long> keyless = new ConcurrentHashMap<>();

  /**
   * The claim statements in {@code dialect}'s SQL.
   *
   * @param claimColumns the columns they return ({@link SqlJobRows#claimColumns})
   * @param traces how the trace context among them is read
   */
  public SqlReturningClaims(JdbcDialect dialect, String claimColumns, SqlJobRows.TraceContextReader traces) {
    String flowReady = dialect.indexedBy("spindle_jobs_flow_ready");
    String readyPlain = dialect.indexedBy("spindle_jobs_ready_plain");
    String ofTasks = " AND task IN (" + dialect.namesParameter() + ")";
    this.takeKeyed = take(claimColumns, flowReady, " AND flow_key = ?", false);
    this.takeUnkeyed = take(claimColumns, readyPlain, " AND flow_key IS NULL", false);
    this.takeAny = take(claimColumns, "", "", true);
    this.takePlain = take(claimColumns, readyPlain, " AND flow_key IS NULL", true);
    this.takeKeyedOf = take(claimColumns, flowReady, " AND flow_key = ?" + ofTasks, false);
    this.takeUnkeyedOf = take(claimColumns, readyPlain, " AND flow_key IS NULL" + ofTasks, false);
    this.takeAnyOf = take(claimColumns, dialect.indexedBy("spindle_jobs_ready"), ofTasks, true);
    this.traces = traces;
  }

  /**
   * The claim of a queue's best ready job ({@code many}: the best {@code LIMIT ?}) along {@code
   * index}, matching {@code where} too. Parameters: worker, start time, queue, then those of {@code
   * where}, then the limit.
   */
  private static String take(String columns, String index, String where, boolean many) {
    return "UPDATE spindle_jobs SET " + SqlJobRows.moveTo(JobState.QUEUED, JobState.RUNNING) + ", worker_id = ?,"
        + " fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE id "
        + (many ? "IN" : "=") + " (SELECT id FROM spindle_jobs" + index + " WHERE state = " + SqlJobRows.QUEUED
        + " AND queue = ?" + where + " ORDER BY priority DESC, id LIMIT " + (many ? "?" : "1") + ") RETURNING "
        + columns;
  }

  /**
   * Jobs are about to be inserted, in the inserting transaction ({@link SqlEnqueue.Rows#beforeInsert}):
   * the keys of the queues that get keyed ones are looked for again.
   */
  public void inserting(List<NewJob> jobs) {
    for (NewJob j : jobs) {
      if (j.flowKey() != null) {
        keyless.remove(j.queue());
      }
    }
  }

  /** Jobs became ready again (promoted, released, retried): every queue's keys are looked for again. */
  @Override
  public void readied() {
    keyless.clear();
  }

  @Override
  public String takeOne(@Nullable String key) {
    return key == null ? takeUnkeyed : takeKeyed;
  }

  @Override
  public String takeMany() {
    return takeAny;
  }

  @Override
  public String takeOneOf(@Nullable String key) {
    return key == null ? takeUnkeyedOf : takeKeyedOf;
  }

  @Override
  public String takeManyOf() {
    return takeAnyOf;
  }

  @Override
  public @Nullable String takePlain(String queue) {
    Long keylessAt = keyless.get(queue);
    return keylessAt != null && System.nanoTime() - keylessAt < KEYLESS_TTL_NANOS ? takePlain : null;
  }

  @Override
  public void noKeyedJobs(String queue) {
    keyless.put(queue, System.nanoTime());
  }

  @Override
  public SqlJobRows.TraceContextReader traceContexts() {
    return traces;
  }
}
