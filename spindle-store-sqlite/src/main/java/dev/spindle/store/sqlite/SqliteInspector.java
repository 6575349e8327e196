package dev.spindle.store.sqlite;

import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ChangeListeners;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.Dependencies;
import dev.spindle.store.sqlite.internal.FilterSql;
import dev.spindle.store.sqlite.internal.JobRows;
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
import java.util.TreeMap;

/**
 * The {@link JobInspector} of {@link SqliteJobStore}: job lists by filter, per-queue counts,
 * workers, dependency edges, requeue, purge and queue limits, each one read or write transaction
 * of the store's {@link Db}. The store's inspector methods delegate here. Thread-safe.
 */
final class SqliteInspector implements JobInspector {
  private final SqliteJobStore store;
  private final Db db;
  private final Clock clock;
  private final ChangeListeners listeners;
  private final Dependencies deps;

  SqliteInspector(SqliteJobStore store, Db db, Clock clock, ChangeListeners listeners, Dependencies deps) {
    this.store = store;
    this.db = db;
    this.clock = clock;
    this.listeners = listeners;
    this.deps = deps;
  }

  @Override
  public List<JobInfo> listJobs(JobFilter f) {
    FilterSql q = FilterSql.of(f);
    String sql = "SELECT " + JobRows.COLUMNS + " FROM " + q.from() + " WHERE 1 = 1" + q.where() + q.newestFirst();
    List<Object> args = new ArrayList<>(q.args());
    args.add(f.limit());
    return db.read("list jobs", c -> {
      try (PreparedStatement ps = c.jdbc().prepareStatement(sql)) {
        bind(ps, args);
        List<JobInfo> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(store.row(c, rs));
          }
        }
        return out;
      }
    });
  }

  static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (a instanceof String s) {
        ps.setString(i + 1, s);
      } else if (a instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else {
        ps.setLong(i + 1, (Long) a);
      }
    }
  }

  @Override
  public Map<String, Instant> oldestReady() {
    return db.read("find the oldest ready jobs", c -> {
      Map<String, Instant> out = new HashMap<>();
      try (ResultSet rs = c.ps("SELECT queue, min(run_at) FROM spindle_jobs WHERE state = " + JobRows.QUEUED + " GROUP BY queue")
          .executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), JobRows.instant(rs.getLong(2)));
        }
      }
      return out;
    });
  }

  @Override
  public List<QueueSummary> queueSummaries() {
    return db.read("summarize queues", c -> summariesIn(c));
  }

  List<QueueSummary> summariesIn(Db.Conn c) throws SQLException {
    Map<String, Map<JobState, Long>> counts = new TreeMap<>();
    try (ResultSet rs = c.ps("SELECT queue, state, count(*) FROM spindle_jobs GROUP BY queue, state")
        .executeQuery()) {
      while (rs.next()) {
        counts.computeIfAbsent(rs.getString(1), q -> new EnumMap<>(JobState.class))
            .put(JobRows.state(rs.getInt(2)), rs.getLong(3));
      }
    }
    Map<String, Integer> limits = SqliteJobStore.limits(c);
    limits.keySet().forEach(q -> counts.computeIfAbsent(q, k -> new EnumMap<>(JobState.class)));
    List<QueueSummary> out = new ArrayList<>();
    counts.forEach((q, m) -> out.add(new QueueSummary(q, m, limits.getOrDefault(q, 0))));
    return out;
  }

  @Override
  public List<WorkerRecord> workers() {
    return db.read("list workers", c -> workersIn(c));
  }

  List<WorkerRecord> workersIn(Db.Conn c) throws SQLException {
    List<WorkerRecord> out = new ArrayList<>();
    try (ResultSet rs = c.ps("SELECT w.id, w.name, w.host, w.pid, w.queues, w.concurrency, w.model, w.state,"
        + " w.started_at, w.heartbeat_at, w.lease_until, (SELECT count(*) FROM spindle_jobs j WHERE j.state = "
        + JobRows.RUNNING
        + " AND j.worker_id = w.id), w.processed, w.failed, w.rate, k.skew_us FROM spindle_workers w"
        + " LEFT JOIN spindle_worker_clocks k ON k.worker = w.id ORDER BY w.id")
        .executeQuery()) {
      while (rs.next()) {
        String qs = rs.getString(5);
        out.add(new WorkerRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
            qs.isEmpty() ? List.of() : List.of(qs.split(",")), rs.getInt(6), rs.getString(7), rs.getString(8),
            JobRows.instant(rs.getLong(9)), JobRows.instant(rs.getLong(10)), JobRows.instant(rs.getLong(11)),
            rs.getInt(12), rs.getLong(13), rs.getLong(14), rs.getDouble(15),
            rs.getObject(16) == null ? null : Duration.ofNanos(Math.multiplyExact(rs.getLong(16), 1000L))));
      }
    }
    return out;
  }

  @Override
  public JobInfo requeue(String jobId, Instant callerNow) {
    Instant now = clock.instant();
    long id = SqliteJobStore.parseIdOrNeg(jobId);
    if (id < 0) {
      throw new JobNotFoundException(jobId);
    }
    JobInfo r = db.write("requeue job " + jobId, c -> {
      PreparedStatement sel = c.ps("SELECT state FROM spindle_jobs WHERE id = ?");
      sel.setLong(1, id);
      try (ResultSet rs = sel.executeQuery()) {
        if (!rs.next()) {
          throw new JobNotFoundException(jobId);
        }
        JobState.checkRequeue(jobId, JobRows.state(rs.getInt(1)));
      }
      JobState to = deps.retry(c, id);
      if (to == JobState.CANCELLED) {
        throw new IllegalJobTransitionException(jobId, JobState.CANCELLED, JobState.QUEUED, "job " + jobId
            + " depends on job " + deps.cancelledBy(c, id) + ", which ended in a way that cancels it: retry that one");
      }
      to = to == null ? JobState.QUEUED : to;
      PreparedStatement up = c.ps("UPDATE spindle_jobs SET state = ?, failures = 0, lost = 0, dead_reason = NULL,"
          + " error = CASE WHEN ? THEN NULL ELSE error END,"
          + " cancel_requested = 0, run_at = ?, finished_at = NULL, expires_at = NULL, finish_seq = 0 WHERE id = ?");
      up.setInt(1, JobRows.code(to));
      up.setBoolean(2, to == JobState.WAITING);
      up.setLong(3, SqliteJobStore.micros(now));
      up.setLong(4, id);
      up.executeUpdate();
      if (to == JobState.QUEUED) {
        PreparedStatement args = c.ps("UPDATE spindle_jobs SET args = ? WHERE id = ?");
        args.setString(1, deps.inputOf(c, id, argsOfOrNull(c, id)));
        args.setLong(2, id);
        args.executeUpdate();
      }
      deps.requeued(c, id);
      PreparedStatement get = c.ps(SqliteJobStore.JOB_BY_ID);
      get.setLong(1, id);
      try (ResultSet rs = get.executeQuery()) {
        rs.next();
        return store.row(c, rs);
      }
    });
    listeners.fire();
    return r;
  }

  @Override
  public List<DependencyEdge> dependencyEdges(String jobId) {
    long id = SqliteJobStore.parseIdOrNeg(jobId);
    return db.read("read the dependencies of job " + jobId, c -> {
      if (id < 0 || argsOfOrNull(c, id) == null) {
        throw new JobNotFoundException(jobId);
      }
      return deps.edgesOf(c, id);
    });
  }

  private static String argsOfOrNull(Db.Conn c, long id) throws SQLException {
    PreparedStatement ps = c.ps("SELECT args FROM spindle_jobs WHERE id = ?");
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
    FilterSql q = FilterSql.of(f);
    String sql = "DELETE FROM spindle_jobs WHERE id IN (SELECT id FROM " + q.from() + " WHERE 1 = 1" + q.where()
        + q.newestFirst() + ")";
    List<Object> args = new ArrayList<>(q.args());
    args.add(f.limit());
    return db.write("purge jobs", c -> {
      SqliteJobStore.raiseIdFloor(c);
      try (PreparedStatement ps = c.jdbc().prepareStatement(sql)) {
        bind(ps, args);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public void setQueueLimit(String queue, int maxRunning) {
    JobOptions.validateQueue(queue);
    if (maxRunning < 0) {
      throw new IllegalArgumentException("a queue limit must be >= 0 (0 = none): " + maxRunning);
    }
    db.write("set the limit of queue " + queue, c -> {
      if (maxRunning == 0) {
        PreparedStatement ps = c.ps("DELETE FROM spindle_queues WHERE name = ?");
        ps.setString(1, queue);
        ps.executeUpdate();
      } else {
        PreparedStatement ps = c.ps("INSERT INTO spindle_queues (name, max_running) VALUES (?, ?)"
            + " ON CONFLICT (name) DO UPDATE SET max_running = excluded.max_running");
        ps.setString(1, queue);
        ps.setInt(2, maxRunning);
        ps.executeUpdate();
      }
      return null;
    });
    listeners.fire();
  }

  @Override
  public Map<String, Integer> queueLimits() {
    return db.read("read queue limits", c -> new LinkedHashMap<>(SqliteJobStore.limits(c)));
  }
}
