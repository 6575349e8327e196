package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Worker leases for a SQL store: heartbeats (record, clock skew, the jobs a worker holds
 * and which to cancel), deregistering (the jobs it still holds get a lost-worker strike), and reclaiming the jobs
 * of workers whose lease ended. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlWorkers<C extends JdbcConn> {
  private static final String RUNNING_TO_QUEUED = SqlJobRows.moveTo(JobState.RUNNING, JobState.QUEUED);

  private final SqlDb<C> db;
  private final JdbcDialect dialect;
  private final Clock clock;
  private final SqlStoreHost<C> host;
  private final SqlAttempts<C> attempts;
  /** A job's snapshot by id. */
  private final String jobById;

  /** The assignments that set each of {@code columns} to the value the INSERT proposed. */
  private String updating(String... columns) {
    StringBuilder sb = new StringBuilder();
    for (String column : columns) {
      sb.append(sb.isEmpty() ? "" : ", ").append(column).append(" = ").append(dialect.proposed(column));
    }
    return sb.toString();
  }

  /** The worker leases of the store {@code host} on {@code db}; reclaimed attempts are closed in {@code attempts}. */
  public SqlWorkers(SqlDb<C> db, JdbcDialect dialect, Clock clock, SqlStoreHost<C> host, SqlAttempts<C> attempts) {
    this.attempts = attempts;
    this.db = db;
    this.dialect = dialect;
    this.clock = clock;
    this.host = host;
    this.jobById = "SELECT " + host.jobColumns() + " FROM spindle_jobs WHERE id = ?";
  }
  /** {@link dev.spindle.queue.spi.JobStore#heartbeat}. */
  public HeartbeatResult heartbeat(WorkerRecord reported) {
    return db.write("heartbeat of worker " + reported.id(), c -> {
      StoreClock sc = StoreClock.read(clock, reported.heartbeatAt());
      WorkerRecord w = reported.onStoreClock(sc);
      PreparedStatement up = c.ps("INSERT INTO spindle_workers (id, name, host, pid, queues, concurrency, model,"
          + " state, started_at, heartbeat_at, lease_until, running, processed, failed, rate)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + dialect.onConflictUpdate("id")
          + updating("state", "heartbeat_at", "lease_until", "running", "processed", "failed", "rate"));
      up.setString(1, w.id());
      up.setString(2, w.name());
      up.setString(3, w.host());
      up.setLong(4, w.pid());
      up.setString(5, String.join(",", w.queues()));
      up.setInt(6, w.concurrency());
      up.setString(7, w.model());
      up.setString(8, w.state());
      up.setLong(9, SqlJobRows.micros(w.startedAt()));
      up.setLong(10, SqlJobRows.micros(w.heartbeatAt()));
      up.setLong(11, SqlJobRows.micros(w.leaseUntil()));
      up.setInt(12, w.running());
      up.setLong(13, w.processed());
      up.setLong(14, w.failed());
      up.setDouble(15, w.ratePerSecond());
      up.executeUpdate();
      Duration clockSkew = w.clockSkew();
      if (clockSkew != null) { // unknown: the last known skew stays
        PreparedStatement skew = c.ps("INSERT INTO spindle_worker_clocks (worker, skew_us) VALUES (?, ?)"
            + dialect.onConflictUpdate("worker") + updating("skew_us"));
        skew.setString(1, w.id());
        skew.setLong(2, SqlJobRows.micros(clockSkew));
        skew.executeUpdate();
      }
      Set<String> tasks = w.tasks();
      if (tasks != null) { // not sent: the names registered before stay
        PreparedStatement names = c.ps("INSERT INTO spindle_worker_tasks (worker, tasks) VALUES (?, ?)"
            + dialect.onConflictUpdate("worker") + "tasks = " + dialect.proposed("tasks"));
        names.setString(1, w.id());
        names.setString(2, String.join(",", new java.util.TreeSet<>(tasks)));
        names.executeUpdate();
      }
      PreparedStatement held = c.ps("SELECT id, cancel_requested FROM spindle_jobs WHERE state = "
          + SqlJobRows.RUNNING + " AND worker_id = ?");
      held.setString(1, w.id());
      Set<String> ids = new HashSet<>();
      Set<String> cancel = new HashSet<>();
      try (ResultSet rs = held.executeQuery()) {
        while (rs.next()) {
          String id = Long.toString(rs.getLong(1));
          ids.add(id);
          if (rs.getInt(2) != 0) {
            cancel.add(id);
          }
        }
      }
      return new HeartbeatResult(ids, cancel, sc.now());
    });
  }

  /** A worker's task names as {@code spindle_worker_tasks} keeps them (comma-separated), or null if none. */
  public static @org.jspecify.annotations.Nullable Set<String> taskSet(@org.jspecify.annotations.Nullable String text) {
    if (text == null) {
      return null;
    }
    return text.isEmpty() ? Set.of() : Set.of(text.split(","));
  }

  /** {@link dev.spindle.queue.spi.JobStore#deregisterWorker}: the jobs it still holds get a strike. */
  public void deregisterWorker(String workerId, Instant callerNow) {
    int struck = db.write("deregister worker " + workerId, c -> {
      Instant now = clock.instant();
      PreparedStatement del = c.ps("DELETE FROM spindle_workers WHERE id = ?");
      del.setString(1, workerId);
      del.executeUpdate();
      PreparedStatement delSkew = c.ps("DELETE FROM spindle_worker_clocks WHERE worker = ?");
      delSkew.setString(1, workerId);
      delSkew.executeUpdate();
      PreparedStatement delTasks = c.ps("DELETE FROM spindle_worker_tasks WHERE worker = ?");
      delTasks.setString(1, workerId);
      delTasks.executeUpdate();
      // the policy's limit by a subquery: the lock is the job rows' alone (a policy row locked would
      // hold up enqueues that reference it)
      PreparedStatement sel = c.ps("SELECT j.id, j.lost, j.cancel_requested, (SELECT p.max_lost FROM"
          + " spindle_policies p WHERE p.id = j.policy_id), j.worker_id FROM spindle_jobs j WHERE j.state = "
          + SqlJobRows.RUNNING + " AND j.worker_id = ? ORDER BY j.id" + dialect.forUpdate());
      sel.setString(1, workerId);
      List<Held> held = new ArrayList<>();
      try (ResultSet rs = sel.executeQuery()) {
        while (rs.next()) {
          held.add(Held.read(rs));
        }
      }
      strike(c, held, now);
      return held.size();
    });
    if (struck > 0) {
      host.changed();
    }
  }

  /** A running job whose worker is gone, as the reclaim reads it. */
  private record Held(long id, int lost, boolean cancel, int maxLost, String worker) {
    static Held read(ResultSet rs) throws java.sql.SQLException {
      return new Held(rs.getLong(1), rs.getInt(2), rs.getInt(3) != 0, rs.getInt(4), rs.getString(5));
    }
  }

  /**
   * Gives each job a lost-worker strike: CANCELLED if a cancel was requested, DEAD ({@link
   * JobInfo#WORKER_LOST}) once its strikes reach its limit, else QUEUED to run again.
   */
  private void strike(C c, List<Held> held, Instant now) throws java.sql.SQLException {
    long t = SqlJobRows.micros(now);
    java.util.Map<Long, String> workerByJob = new java.util.LinkedHashMap<>();
    held.forEach(h -> workerByJob.put(h.id(), h.worker()));
    attempts.lost(c, workerByJob, t);
    PreparedStatement requeue = c.ps("UPDATE spindle_jobs SET " + RUNNING_TO_QUEUED
        + ", lost = lost + 1, run_at = ? WHERE id = ? AND state = " + SqlJobRows.RUNNING);
    PreparedStatement strike = c.ps("UPDATE spindle_jobs SET lost = lost + 1 WHERE id = ? AND state = "
        + SqlJobRows.RUNNING);
    for (Held h : held) {
      int lost = h.lost() + 1;
      if (h.cancel()) {
        strike.setLong(1, h.id());
        strike.executeUpdate();
        host.finish(c, h.id(), JobState.RUNNING, JobState.CANCELLED, now, null, null, SqlRules.ttlOf(JobState.CANCELLED));
      } else if (lost >= h.maxLost()) {
        strike.setLong(1, h.id());
        strike.executeUpdate();
        String err = JobError.of("dev.spindle.WorkerLostException", "job " + h.id() + " lost its worker " + lost
            + " time(s) (limit " + h.maxLost() + "); last worker: " + h.worker()).toJson();
        host.finish(c, h.id(), JobState.RUNNING, JobState.DEAD, now, err, JobInfo.WORKER_LOST, SqlRules.ttlOf(JobState.DEAD));
      } else {
        requeue.setLong(1, t);
        requeue.setLong(2, h.id());
        requeue.executeUpdate();
      }
    }
  }

  /** {@link dev.spindle.queue.spi.JobStore#reclaimExpired}. */
  public List<JobInfo> reclaimExpired(Instant callerNow, int limit) {
    Instant now = clock.instant();
    long t = SqlJobRows.micros(now);
    String orphaned = "SELECT j.id FROM spindle_jobs j WHERE j.state = " + SqlJobRows.RUNNING
        + " AND NOT EXISTS (SELECT 1 FROM"
        + " spindle_workers w WHERE w.id = j.worker_id AND w.lease_until > ?) LIMIT ?";
    boolean any = db.read("look for expired leases", c -> {
      PreparedStatement ps = c.ps(orphaned);
      ps.setLong(1, t);
      ps.setInt(2, 1);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return true;
        }
      }
      PreparedStatement w = c.ps("SELECT 1 FROM spindle_workers WHERE lease_until <= ? LIMIT 1");
      w.setLong(1, t);
      try (ResultSet rs = w.executeQuery()) {
        return rs.next();
      }
    });
    if (!any) {
      return List.of();
    }
    List<JobInfo> out = db.write("reclaim jobs of dead workers", c -> {
      PreparedStatement ps = c.ps("SELECT j.id, j.lost, j.cancel_requested, p.max_lost, j.worker_id FROM spindle_jobs j"
          + " JOIN spindle_policies p ON p.id = j.policy_id WHERE j.state = " + SqlJobRows.RUNNING
          + " AND NOT EXISTS (SELECT 1 FROM"
          + " spindle_workers w WHERE w.id = j.worker_id AND w.lease_until > ?) ORDER BY j.id LIMIT ?" + dialect.forUpdateSkipLocked("j"));
      ps.setLong(1, t);
      ps.setInt(2, limit);
      List<Held> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(Held.read(rs));
        }
      }
      strike(c, rows, now);
      List<Long> ids = new ArrayList<>();
      rows.forEach(h -> ids.add(h.id()));
      PreparedStatement gone = c.ps("DELETE FROM spindle_workers WHERE lease_until <= ? AND NOT EXISTS (SELECT 1"
          + " FROM spindle_jobs j WHERE j.state = " + SqlJobRows.RUNNING + " AND j.worker_id = spindle_workers.id)");
      gone.setLong(1, t);
      if (gone.executeUpdate() > 0) {
        c.ps("DELETE FROM spindle_worker_clocks WHERE worker NOT IN (SELECT id FROM spindle_workers)").executeUpdate();
        c.ps("DELETE FROM spindle_worker_tasks WHERE worker NOT IN (SELECT id FROM spindle_workers)").executeUpdate();
      }
      List<JobInfo> snapshots = new ArrayList<>(ids.size());
      PreparedStatement get = c.ps(jobById);
      for (long id : ids) {
        get.setLong(1, id);
        try (ResultSet rs = get.executeQuery()) {
          if (rs.next()) {
            snapshots.add(host.row(c, rs));
          }
        }
      }
      return snapshots;
    });
    if (!out.isEmpty()) {
      host.changed();
    }
    return out;
  }
}
