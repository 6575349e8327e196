package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.AuditRecord;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.WorkflowControl;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@link QueueControl} and {@link AuditLog} of a SQL store: pausing queues and
 * schedules, bulk requeue and cancel by filter (one write transaction each), deleting finished
 * jobs, and the audit table. The store's methods delegate here. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlControl<C extends JdbcConn> implements QueueControl, AuditLog {
  private final SqlDb<C> db;
  private final JdbcDialect dialect;
  private final Clock clock;
  private final SqlStoreHost<C> host;
  private final SqlAttempts<C> attempts;
  private final java.util.Optional<WorkflowControl> workflows;

  /** The queue control of the store {@code host} on {@code db}; {@code workflows} resumes workflows. */
  public SqlControl(SqlDb<C> db, JdbcDialect dialect, Clock clock, SqlStoreHost<C> host, WorkflowControl workflows,
      SqlAttempts<C> attempts) {
    this.attempts = attempts;
    this.workflows = java.util.Optional.of(workflows);
    this.db = db;
    this.dialect = dialect;
    this.clock = clock;
    this.host = host;
  }
  @Override
  public java.util.Optional<WorkflowControl> workflows() {
    return workflows;
  }

  @Override
  public void pauseQueue(String queue) {
    JobOptions.validateQueue(queue);
    db.update("pause queue " + queue, c -> {
      PreparedStatement ps = c.ps(dialect.insertIgnoring("spindle_paused", "queue", "(?)", "queue"));
      ps.setString(1, queue);
      ps.executeUpdate();
    });
    host.changed();
  }

  @Override
  public void resumeQueue(String queue) {
    JobOptions.validateQueue(queue);
    db.update("resume queue " + queue, c -> {
      PreparedStatement ps = c.ps("DELETE FROM spindle_paused WHERE queue = ?");
      ps.setString(1, queue);
      ps.executeUpdate();
    });
    host.changed();
  }

  @Override
  public Set<String> pausedQueues() {
    return db.read("read paused queues", c -> pausedIn(c));
  }

  /** {@link #pausedQueues} inside the caller's transaction. */
  public Set<String> pausedIn(JdbcConn c) throws SQLException {
    Set<String> out = new java.util.TreeSet<>();
    try (ResultSet rs = c.ps("SELECT queue FROM spindle_paused").executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return Set.copyOf(out);
  }

  @Override
  public int requeueMatching(JobFilter filter, Instant callerNow) {
    Instant now = clock.instant();
    JobFilter f = filter.withStates(QueueControl.statesWithin(filter, QueueControl.requeueStates(), "requeued"));
    for (JobState from : f.states()) {
      JobState.checkTransition("(any " + from + " job)", from, JobState.QUEUED);
    }
    SqlFilter q = SqlFilter.of(f, dialect);
    String select = "SELECT id FROM " + q.from() + " WHERE 1 = 1" + q.where() + q.newestFirst();
    List<Object> args = new ArrayList<>(q.args());
    args.add(f.limit());
    StringBuilder states = new StringBuilder();
    for (JobState s : f.states()) {
      states.append(states.isEmpty() ? "" : ", ").append(SqlJobRows.code(s));
    }
    String update = "UPDATE spindle_jobs SET state = " + SqlJobRows.QUEUED + ", failures = 0, lost = 0,"
        + " dead_reason = NULL, cancel_requested = 0, run_at = ?, finished_at = NULL, expires_at = NULL,"
        + " finish_seq = 0 WHERE id IN (" + dialect.idsParameter() + ") AND state IN (" + states + ")";
    int n = db.write("requeue jobs", c -> {
      long[] ids = SqlFilter.ids(c, select, args);
      if (ids.length == 0) {
        return 0;
      }
      dialect.restore(c, ids);
      attempts.keepLast(c, ids); // the rows forget their last attempts at the next claim
      PreparedStatement ps = c.ps(update);
      ps.setLong(1, SqlJobRows.micros(now));
      dialect.bindIds(c, ps, 2, ids);
      return ps.executeUpdate();
    });
    if (n > 0) {
      host.changed();
    }
    return n;
  }

  /**
   * {@link dev.spindle.queue.spi.JobStore#cancel}: a waiting job is cancelled at once (through
   * {@link SqlStoreHost#finish}), a running one is asked to stop; one write transaction, the job's
   * row locked where the database locks rows.
   */
  public CancelResult cancel(String jobId) {
    long id = SqlJobRows.idOrNeg(jobId);
    if (id < 0) {
      return CancelResult.NOT_FOUND;
    }
    CancelResult r = db.write("cancel job " + jobId, c -> {
      Instant now = clock.instant();
      PreparedStatement ps = c.ps("SELECT state FROM spindle_jobs WHERE id = ?" + dialect.forUpdate());
      ps.setLong(1, id);
      JobState s;
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return SqlHistory.stateAndFence(c, dialect, id) != null ? CancelResult.ALREADY_FINISHED : CancelResult.NOT_FOUND;
        }
        s = SqlJobRows.state(rs.getInt(1));
      }
      if (s.isWaiting()) {
        host.finish(c, id, s, JobState.CANCELLED, now, null, null, SqlRules.ttlOf(JobState.CANCELLED));
        return CancelResult.CANCELLED;
      }
      if (s == JobState.RUNNING) {
        PreparedStatement up = c.ps("UPDATE spindle_jobs SET cancel_requested = 1 WHERE id = ? AND state = "
            + SqlJobRows.RUNNING);
        up.setLong(1, id);
        up.executeUpdate();
        return CancelResult.CANCEL_REQUESTED;
      }
      return CancelResult.ALREADY_FINISHED;
    });
    if (r == CancelResult.CANCELLED || r == CancelResult.CANCEL_REQUESTED) {
      host.changed();
    }
    return r;
  }

  @Override
  public int cancelMatching(JobFilter filter, Instant callerNow) {
    Instant now = clock.instant();
    JobFilter f = filter.withStates(QueueControl.statesWithin(filter, QueueControl.cancelStates(), "cancelled"));
    SqlFilter q = SqlFilter.of(f, dialect, "spindle_jobs"); // rows not yet finished: never in a history
    String sql = "SELECT id, state FROM " + q.from() + " WHERE NOT (state = " + SqlJobRows.RUNNING
        + " AND cancel_requested = 1)" + q.where() + q.newestFirst() + dialect.forUpdate();
    List<Object> args = new ArrayList<>(q.args());
    args.add(f.limit());
    int n = db.write("cancel jobs", c -> {
      List<long[]> rows = new ArrayList<>();
      try (PreparedStatement ps = c.jdbc().prepareStatement(sql)) {
        SqlFilter.bind(ps, args);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(new long[] {rs.getLong(1), rs.getInt(2)});
          }
        }
      }
      int done = 0;
      PreparedStatement ask = c.ps("UPDATE spindle_jobs SET cancel_requested = 1 WHERE id = ? AND state = "
          + SqlJobRows.RUNNING);
      for (long[] r : rows) {
        if (SqlJobRows.state((int) r[1]) == JobState.RUNNING) {
          ask.setLong(1, r[0]);
          done += ask.executeUpdate();
        } else {
          host.finish(c, r[0], SqlJobRows.state((int) r[1]), JobState.CANCELLED, now, null, null, SqlRules.ttlOf(JobState.CANCELLED));
          done++;
        }
      }
      return done;
    });
    if (n > 0) {
      host.changed();
    }
    return n;
  }

  @Override
  public DeleteResult deleteJob(String jobId) {
    long id = SqlJobRows.idOrNeg(jobId);
    if (id < 0) {
      return DeleteResult.NOT_FOUND;
    }
    return db.write("delete job " + jobId, c -> {
      dialect.restore(c, new long[] {id});
      PreparedStatement sel = c.ps("SELECT state FROM spindle_jobs WHERE id = ?" + dialect.forUpdate());
      sel.setLong(1, id);
      try (ResultSet rs = sel.executeQuery()) {
        if (!rs.next()) {
          return DeleteResult.NOT_FOUND;
        }
        if (!SqlJobRows.state(rs.getInt(1)).isTerminal()) {
          return DeleteResult.NOT_FINISHED;
        }
      }
      dialect.beforeDeletingJobs(c);
      PreparedStatement del = c.ps("DELETE FROM spindle_jobs WHERE id = ?");
      del.setLong(1, id);
      del.executeUpdate();
      return DeleteResult.DELETED;
    });
  }

  @Override
  public boolean pauseSchedule(String name) {
    return markSchedule(name, true);
  }

  @Override
  public boolean resumeSchedule(String name) {
    return markSchedule(name, false);
  }

  private boolean markSchedule(String name, boolean pause) {
    boolean found = db.write((pause ? "pause" : "resume") + " schedule " + name, c -> {
      if (SqlSchedules.schedule(c, name).isEmpty()) {
        return false;
      }
      PreparedStatement ps = c.ps(pause ? dialect.insertIgnoring("spindle_paused_schedules", "name", "(?)", "name")
          : "DELETE FROM spindle_paused_schedules WHERE name = ?");
      ps.setString(1, name);
      ps.executeUpdate();
      return true;
    });
    if (found) {
      host.changed();
    }
    return found;
  }

  @Override
  public Set<String> pausedSchedules() {
    return db.read("read paused schedules", c -> {
      Set<String> out = new java.util.TreeSet<>();
      try (ResultSet rs = c.ps("SELECT name FROM spindle_paused_schedules").executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return Set.copyOf(out);
    });
  }

  @Override
  public void appendAudit(AuditRecord r) {
    db.update("append to the audit log", c -> {
      PreparedStatement ps = c.ps("INSERT INTO spindle_audit (at, " + dialect.auditUserColumn() + ", action, target, detail) VALUES"
          + " (?, ?, ?, ?, ?) RETURNING id");
      ps.setLong(1, SqlJobRows.micros(r.at()));
      ps.setString(2, r.user());
      ps.setString(3, r.action());
      ps.setString(4, r.target());
      ps.setString(5, r.detail());
      long id;
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        id = rs.getLong(1);
      }
      if (id % 1000 == 0) {
        PreparedStatement trim = c.ps("DELETE FROM spindle_audit WHERE id <= ?");
        trim.setLong(1, id - AuditLog.KEPT);
        trim.executeUpdate();
      }
    });
  }

  @Override
  public List<AuditRecord> recentAudit(int limit) {
    return db.read("read the audit log", c -> {
      PreparedStatement ps = c.ps("SELECT id, at, " + dialect.auditUserColumn() + ", action, target, detail FROM spindle_audit"
          + " ORDER BY id DESC LIMIT ?");
      ps.setInt(1, limit);
      List<AuditRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new AuditRecord(rs.getLong(1), SqlJobRows.instant(rs.getLong(2)), rs.getString(3),
              rs.getString(4), rs.getString(5), rs.getString(6)));
        }
      }
      return out;
    });
  }
}
