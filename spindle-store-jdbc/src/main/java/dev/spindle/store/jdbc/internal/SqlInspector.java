package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.ResumeMove;
import dev.spindle.queue.spi.UnroutableTask;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.queue.spi.WorkflowControl;
import dev.spindle.queue.store.UnroutableTasks;
import dev.spindle.queue.store.Workflows;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@link JobInspector} of a SQL store: job lists by filter, per-queue counts, workers,
 * dependency edges, requeue, purge and queue limits, each one read or write transaction of the
 * store's {@link SqlDb}. The store's inspector methods delegate here. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlInspector<C extends JdbcConn> implements JobInspector, WorkflowControl {
  private final SqlDb<C> db;
  private final JdbcDialect dialect;
  private final Clock clock;
  private final SqlStoreHost<C> host;
  /** A job's snapshot by id. */
  private final String jobById;
  /** A job's snapshot by id, wherever readers see it ({@link JdbcDialect#allJobs}). */
  private final String anyJobById;
  private final SqlDependencies<C> deps;
  private final SqlAttempts<C> attempts;

  /** The inspector of the store {@code host} on {@code db}. */
  public SqlInspector(SqlDb<C> db, JdbcDialect dialect, Clock clock, SqlStoreHost<C> host, SqlDependencies<C> deps,
      SqlAttempts<C> attempts) {
    this.attempts = attempts;
    this.db = db;
    this.dialect = dialect;
    this.clock = clock;
    this.host = host;
    this.jobById = "SELECT " + host.jobColumns() + " FROM spindle_jobs WHERE id = ?";
    this.anyJobById = "SELECT " + host.jobColumns() + " FROM " + dialect.allJobs() + " WHERE id = ?";
    this.deps = deps;
  }

  /**
   * {@link dev.spindle.queue.spi.JobStore#find}: a job by id, wherever readers see it (a history of
   * finished jobs included), or empty if the id names none.
   */
  public Optional<JobInfo> find(String jobId) {
    long id = SqlJobRows.idOrNeg(jobId);
    if (id < 0) {
      return Optional.empty();
    }
    return db.read("find job " + jobId, c -> {
      PreparedStatement ps = c.ps(anyJobById);
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(host.row(c, rs)) : Optional.<JobInfo>empty();
      }
    });
  }

  @Override
  public List<JobInfo> listJobs(JobFilter f) {
    SqlFilter q = SqlFilter.of(f, dialect);
    String sql = "SELECT " + host.jobColumns() + " FROM " + q.from() + " WHERE 1 = 1" + q.where() + q.newestFirst();
    List<Object> args = new ArrayList<>(q.args());
    args.add(f.limit());
    return db.read("list jobs", c -> {
      try (PreparedStatement ps = c.jdbc().prepareStatement(sql)) {
        SqlFilter.bind(ps, args);
        List<JobInfo> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(host.row(c, rs));
          }
        }
        return out;
      }
    });
  }

  @Override
  public Map<String, Instant> oldestReady() {
    return db.read("find the oldest ready jobs", c -> {
      Map<String, Instant> out = new HashMap<>();
      try (ResultSet rs = c.ps("SELECT queue, min(run_at) FROM spindle_jobs WHERE state = " + SqlJobRows.QUEUED + " GROUP BY queue")
          .executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), SqlJobRows.instant(rs.getLong(2)));
        }
      }
      return out;
    });
  }

  @Override
  public List<QueueSummary> queueSummaries() {
    return db.read("summarize queues", c -> summariesIn(c));
  }

  /** {@link #queueSummaries} inside the caller's transaction. */
  public List<QueueSummary> summariesIn(C c) throws SQLException {
    Map<String, Map<JobState, Long>> counts = new TreeMap<>();
    try (ResultSet rs = c.ps(dialect.queueCounts()).executeQuery()) {
      while (rs.next()) {
        counts.computeIfAbsent(rs.getString(1), q -> new EnumMap<>(JobState.class))
            .merge(SqlJobRows.state(rs.getInt(2)), rs.getLong(3), Long::sum);
      }
    }
    Map<String, Integer> limits = SqlInspector.limits(c);
    limits.keySet().forEach(q -> counts.computeIfAbsent(q, k -> new EnumMap<>(JobState.class)));
    List<QueueSummary> out = new ArrayList<>();
    counts.forEach((q, m) -> out.add(new QueueSummary(q, m, limits.getOrDefault(q, 0))));
    return out;
  }

  @Override
  public List<WorkerRecord> workers() {
    return db.read("list workers", c -> workersIn(c));
  }

  /** {@link #workers} inside the caller's transaction. */
  public List<WorkerRecord> workersIn(C c) throws SQLException {
    List<WorkerRecord> out = new ArrayList<>();
    try (ResultSet rs = c.ps("SELECT w.id, w.name, w.host, w.pid, w.queues, w.concurrency, w.model, w.state,"
        + " w.started_at, w.heartbeat_at, w.lease_until, (SELECT count(*) FROM spindle_jobs j WHERE j.state = "
        + SqlJobRows.RUNNING
        + " AND j.worker_id = w.id), w.processed, w.failed, w.rate, k.skew_us, t.tasks FROM spindle_workers w"
        + " LEFT JOIN spindle_worker_clocks k ON k.worker = w.id LEFT JOIN spindle_worker_tasks t ON t.worker = w.id"
        + " ORDER BY w.id")
        .executeQuery()) {
      while (rs.next()) {
        String qs = rs.getString(5);
        out.add(new WorkerRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
            qs.isEmpty() ? List.of() : List.of(qs.split(",")), rs.getInt(6), rs.getString(7), rs.getString(8),
            SqlJobRows.instant(rs.getLong(9)), SqlJobRows.instant(rs.getLong(10)), SqlJobRows.instant(rs.getLong(11)),
            rs.getInt(12), rs.getLong(13), rs.getLong(14), rs.getDouble(15),
            rs.getObject(16) == null ? null : Duration.ofNanos(Math.multiplyExact(rs.getLong(16), 1000L)),
            SqlWorkers.taskSet(rs.getString(17))));
      }
    }
    return out;
  }

  /**
   * Waiting jobs whose task no live worker of their queue registered: counts each queue's QUEUED
   * jobs by task along the ready index, in one read transaction with the workers.
   */
  @Override
  public List<UnroutableTask> unroutable(Instant now) {
    return db.read("find waiting jobs no live worker knows", c -> {
      List<WorkerRecord> workers = workersIn(c);
      PreparedStatement ps = c.ps("SELECT task, count(*) FROM spindle_jobs WHERE state = " + SqlJobRows.QUEUED
          + " AND queue = ? GROUP BY task");
      List<UnroutableTask> out = new ArrayList<>();
      for (Map.Entry<String, Set<String>> e : UnroutableTasks.knownByQueue(workers, now).entrySet()) {
        ps.setString(1, e.getKey());
        Map<String, Long> byTask = new java.util.TreeMap<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            byTask.put(rs.getString(1), rs.getLong(2));
          }
        }
        byTask.forEach((task, n) -> {
          if (!e.getValue().contains(task)) {
            out.add(new UnroutableTask(e.getKey(), task, n));
          }
        });
      }
      return out;
    });
  }

  @Override
  public JobInfo requeue(String jobId, Instant callerNow) {
    Instant now = clock.instant();
    long id = SqlJobRows.idOrNeg(jobId);
    if (id < 0) {
      throw new JobNotFoundException(jobId);
    }
    JobInfo r = db.write("requeue job " + jobId, c -> {
      JobState from = lockedState(c, id, jobId);
      JobState.checkRequeue(jobId, from);
      requeueIn(c, id, jobId, from, null, false, now);
      PreparedStatement get = c.ps(jobById);
      get.setLong(1, id);
      try (ResultSet rs = get.executeQuery()) {
        rs.next();
        return host.row(c, rs);
      }
    });
    host.changed();
    return r;
  }

  @Override
  public List<ResumeMove> resume(String jobId, @Nullable String argsJson, Instant callerNow) {
    Instant now = clock.instant();
    long id = SqlJobRows.idOrNeg(jobId);
    if (id < 0) {
      throw new JobNotFoundException(jobId);
    }
    List<ResumeMove> moves = db.write("resume the workflow at job " + jobId, c -> {
      JobState from = lockedState(c, id, jobId);
      if (!WorkflowControl.resumableStates().contains(from)) {
        throw new IllegalJobTransitionException(jobId, from, JobState.QUEUED, "only a FAILED or DEAD node can be"
            + " resumed; this one is " + from);
      }
      if (argsJson != null && !deps.ownArgs(c, id)) {
        throw new IllegalArgumentException(Workflows.noOwnArgs(jobId));
      }
      return requeueIn(c, id, jobId, from, argsJson, true, now);
    });
    host.changed();
    return moves;
  }

  /** The state of job {@code id}, locked for update (restored from a history first). */
  private JobState lockedState(C c, long id, String jobId) throws SQLException {
    dialect.restore(c, new long[] {id});
    PreparedStatement sel = c.ps("SELECT state FROM spindle_jobs WHERE id = ?" + dialect.forUpdate());
    sel.setLong(1, id);
    try (ResultSet rs = sel.executeQuery()) {
      if (!rs.next()) {
        throw new JobNotFoundException(jobId);
      }
      return SqlJobRows.state(rs.getInt(1));
    }
  }

  /**
   * Requeues the finished job {@code id} (in {@code from}, locked) inside the caller's transaction,
   * with {@code argsJson} as its own arguments if given, and revives the dependents it cancelled;
   * {@code strict} refuses a move the state machine does not allow (FAILED to WAITING).
   *
   * @return the moves: the job's, then the revived dependents'
   */
  private List<ResumeMove> requeueIn(C c, long id, String jobId, JobState from, @Nullable String argsJson,
      boolean strict, Instant now) throws SQLException {
    JobState to = deps.retry(c, id);
    if (to == JobState.CANCELLED) {
      throw new IllegalJobTransitionException(jobId, JobState.CANCELLED, JobState.QUEUED, "job " + jobId
          + " depends on job " + deps.cancelledBy(c, id) + ", which ended in a way that cancels it: retry that one");
    }
    to = to == null ? JobState.QUEUED : to;
    if (strict && !from.canMoveTo(to)) {
      throw new IllegalJobTransitionException(jobId, from, to, Workflows.dependenciesRunning(jobId));
    }
    attempts.keepLast(c, new long[] {id}); // the row forgets its last attempt at the next claim
    PreparedStatement up = c.ps("UPDATE spindle_jobs SET state = ?, failures = 0, lost = 0, dead_reason = NULL,"
        + " error = CASE WHEN ? THEN NULL ELSE error END,"
        + " cancel_requested = 0, run_at = ?, finished_at = NULL, expires_at = NULL, finish_seq = 0 WHERE id = ?");
    up.setInt(1, SqlJobRows.code(to));
    up.setBoolean(2, to == JobState.WAITING);
    up.setLong(3, SqlJobRows.micros(now));
    up.setLong(4, id);
    up.executeUpdate();
    if (argsJson != null || to == JobState.QUEUED) {
      PreparedStatement args = c.ps("UPDATE spindle_jobs SET args = ? WHERE id = ?");
      String own = argsJson != null ? argsJson : argsOfOrNull(c, id);
      if (own == null) {
        throw new JobNotFoundException(jobId); // read and locked above: not reached
      }
      args.setString(1, to == JobState.QUEUED ? deps.inputOf(c, id, own) : own);
      args.setLong(2, id);
      args.executeUpdate();
    }
    List<ResumeMove> moves = new ArrayList<>();
    moves.add(new ResumeMove(jobId, from, to));
    for (long revived : deps.requeued(c, id)) {
      moves.add(new ResumeMove(Long.toString(revived), JobState.CANCELLED, JobState.WAITING));
    }
    return moves;
  }

  @Override
  public List<DependencyEdge> dependencyEdges(String jobId) {
    long id = SqlJobRows.idOrNeg(jobId);
    return db.read("read the dependencies of job " + jobId, c -> {
      if (id < 0 || argsOfOrNull(c, id) == null) {
        throw new JobNotFoundException(jobId);
      }
      return deps.edgesOf(c, id);
    });
  }

  private @Nullable String argsOfOrNull(JdbcConn c, long id) throws SQLException {
    PreparedStatement ps = c.ps("SELECT args FROM " + dialect.allJobs() + " WHERE id = ?");
    ps.setLong(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  @Override
  public int purge(JobFilter filter) {
    for (JobState s : filter.states()) {
      if (!s.isTerminal()) {
        throw new IllegalArgumentException("only finished jobs can be purged, not " + s + " ones; cancel them first");
      }
    }
    JobFilter f = filter.states().isEmpty() ? filter.withStates(JobState.terminalStates()) : filter;
    SqlFilter q = SqlFilter.of(f, dialect);
    String sql = "SELECT id FROM " + q.from() + " WHERE 1 = 1" + q.where() + q.newestFirst();
    List<Object> args = new ArrayList<>(q.args());
    args.add(f.limit());
    return db.write("purge jobs", c -> {
      long[] ids = SqlFilter.ids(c, sql, args);
      if (ids.length == 0) {
        return 0;
      }
      dialect.restore(c, ids);
      dialect.beforeDeletingJobs(c);
      PreparedStatement del = c.ps("DELETE FROM spindle_jobs WHERE id IN (" + dialect.idsParameter() + ")");
      dialect.bindIds(c, del, 1, ids);
      return del.executeUpdate();
    });
  }

  /** Sets a queue's limit, as {@link dev.spindle.queue.spi.JobStore#setQueueLimit}. */
  public void setQueueLimit(String queue, int maxRunning) {
    JobOptions.validateQueue(queue);
    if (maxRunning < 0) {
      throw new IllegalArgumentException("a queue limit must be >= 0 (0 = none): " + maxRunning);
    }
    db.update("set the limit of queue " + queue, c -> {
      if (maxRunning == 0) {
        PreparedStatement ps = c.ps("DELETE FROM spindle_queues WHERE name = ?");
        ps.setString(1, queue);
        ps.executeUpdate();
      } else {
        PreparedStatement ps = c.ps("INSERT INTO spindle_queues (name, max_running) VALUES (?, ?)"
            + dialect.onConflictUpdate("name") + "max_running = " + dialect.proposed("max_running"));
        ps.setString(1, queue);
        ps.setInt(2, maxRunning);
        ps.executeUpdate();
      }
    });
    host.changed();
  }

  @Override
  public Map<String, Integer> queueLimits() {
    return db.read("read queue limits", c -> new LinkedHashMap<>(SqlInspector.limits(c)));
  }

  /** The queues' running limits (queues without one are absent). */
  public static Map<String, Integer> limits(JdbcConn c) throws SQLException {
    Map<String, Integer> m = new HashMap<>();
    try (ResultSet rs = c.ps("SELECT name, max_running FROM spindle_queues").executeQuery()) {
      while (rs.next()) {
        m.put(rs.getString(1), rs.getInt(2));
      }
    }
    return m;
  }
}
