package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.AttemptLedger;
import dev.spindle.queue.spi.AttemptOutcome;
import dev.spindle.queue.spi.AttemptRecord;
import dev.spindle.queue.spi.JobAttempts;
import dev.spindle.queue.spi.RefusedWrite;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The attempts ledger of a SQL store: a job's row keeps its current attempt (worker, fence, attempt
 * number, start, and for a finished job its end and error), and {@code spindle_job_attempts} keeps
 * the attempts its row no longer tells: those that ended without ending the job (retried, released,
 * suspended, lost; written by the completion, suspension or reclaim, {@link #closed}, {@link
 * #lost}), a finished job's last attempt when an operator requeues it ({@link #keepLast}), and the
 * writes the fence refused ({@link #refused}). So a claim and a completion that ends its job write no
 * ledger row: the ledger costs nothing on the hot path. Reads ({@link AttemptLedger}) merge the rows
 * with the job's current attempt. A row is an attempt ({@code kind} 0) or a refused write ({@code
 * kind} 1, what it tried in {@code outcome}). Rows of claims older than the last {@link #keep()} are
 * deleted as new rows are written; rows of deleted jobs are never read (reads check the job) and are
 * swept after retention with the durable records ({@link SqlDurable#sweep}), or deleted by a trigger
 * where the schema has one. An attempt row without an end (written by a claim of an earlier version)
 * is closed on reading from the job's row. Thread-safe (stateless besides its collaborators).
 *
 * @param <C> the store's connection type
 */
public final class SqlAttempts<C extends JdbcConn> implements AttemptLedger {
  private static final int ATTEMPT = 0;
  private static final int REFUSED = 1;
  private static final String HOST_OF_WORKER = "(SELECT w.host FROM spindle_workers w WHERE w.id = j.worker_id)";
  /** The ended attempt of a job, from its row: job id and fence; attempt offset, worker, end, outcome, error. */
  private static final String ENDED = "INSERT INTO spindle_job_attempts (job_id, fence, kind, attempt, worker_id,"
      + " host, started_at, ended_at, outcome, error) SELECT j.id, j.fence, " + ATTEMPT + ", j.attempt + ?,"
      + " COALESCE(j.worker_id, ?), " + HOST_OF_WORKER + ", COALESCE(j.started_at, ?), ?, ?, ? FROM spindle_jobs j"
      + " WHERE j.id = ? AND j.fence = ?";
  /** As {@link #ENDED}, for the running attempt of a job whose fence the caller does not know (a reclaim). */
  private static final String ENDED_RUNNING = ENDED.replace("j.fence = ?", "j.state = " + SqlJobRows.RUNNING);
  private static final String TRIM = "DELETE FROM spindle_job_attempts WHERE job_id = ? AND fence <= ?";
  private static final String TRIM_BY_JOB = "DELETE FROM spindle_job_attempts WHERE job_id = ? AND fence <="
      + " (SELECT j.fence FROM spindle_jobs j WHERE j.id = ?) - ?";
  private static final String COLUMNS = "fence, kind, attempt, worker_id, host, started_at, ended_at, outcome, error";

  private final SqlDb<C> db;
  private final String refuse;
  private final String keepLast;
  private final String current;
  private final String duplicates;
  private final int keep;

  /**
   * The ledger of the store on {@code db}.
   *
   * @param keep how many of a job's last claims are kept, at least 1
   */
  public SqlAttempts(SqlDb<C> db, JdbcDialect dialect, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("attemptsKept must be >= 1: " + keep);
    }
    this.db = db;
    this.keep = keep;
    this.refuse = "INSERT INTO spindle_job_attempts (job_id, fence, kind, attempt, worker_id, started_at, outcome)"
        + " SELECT j.id, ?, " + REFUSED + ", 0, ?, ?, ? FROM " + dialect.allJobs() + " j WHERE j.id = ?";
    this.keepLast = "INSERT INTO spindle_job_attempts (job_id, fence, kind, attempt, worker_id, host, started_at,"
        + " ended_at, outcome, error) SELECT j.id, j.fence, " + ATTEMPT + ", j.attempt, j.worker_id, " + HOST_OF_WORKER
        + ", j.started_at, j.finished_at, " + outcomeOfState("j.state") + ", CASE WHEN j.state IN ("
        + SqlJobRows.code(JobState.FAILED) + ", " + SqlJobRows.code(JobState.DEAD) + ") THEN j.error END"
        + " FROM spindle_jobs j WHERE j.id = ? AND j.fence > 0 AND j.worker_id IS NOT NULL AND j.started_at IS NOT NULL"
        + " AND j.state IN (" + terminalCodes() + ") AND NOT EXISTS (SELECT 1 FROM spindle_job_attempts a"
        + " WHERE a.job_id = j.id AND a.fence = j.fence AND a.kind = " + ATTEMPT + " AND a.ended_at IS NOT NULL)";
    this.current = "SELECT j.fence, j.attempt, j.worker_id, " + HOST_OF_WORKER + ", j.started_at, j.finished_at,"
        + " j.state, j.error FROM " + dialect.allJobs() + " j WHERE j.id = ?";
    this.duplicates = "SELECT j.task, count(DISTINCT a.job_id) FROM spindle_job_attempts a JOIN " + dialect.allJobs()
        + " j ON j.id = a.job_id WHERE a.kind = " + REFUSED + " OR (a.kind = " + ATTEMPT + " AND a.outcome = '"
        + AttemptOutcome.LOST.name() + "' AND j.fence > a.fence) GROUP BY j.task";
  }

  private static String terminalCodes() {
    StringBuilder b = new StringBuilder();
    for (JobState s : JobState.terminalStates()) {
      b.append(b.isEmpty() ? "" : ", ").append(SqlJobRows.code(s));
    }
    return b.toString();
  }

  /** SQL: the outcome name of the attempt that left a job in the state of column {@code state}. */
  private static String outcomeOfState(String state) {
    StringBuilder b = new StringBuilder("CASE " + state);
    for (JobState s : JobState.terminalStates()) {
      b.append(" WHEN ").append(SqlJobRows.code(s)).append(" THEN '")
          .append(java.util.Objects.requireNonNull(AttemptOutcome.endingIn(s)).name()).append('\'');
    }
    return b.append(" END").toString();
  }

  // ---------------------------------------------------------------- writes, in the caller's transaction

  /** One completion's entry: its job, fence and worker, and how it turned out. */
  public record Ended(long jobId, long fence, String workerId, AttemptOutcome outcome, @Nullable String errorJson,
      boolean applied, String attempted) {}

  /**
   * After completions were applied: records the attempts that ended without ending their job
   * (retried, released) and the refused completions ({@code applied} false), one batch each. An
   * attempt that ended its job is kept by the job's row and writes nothing.
   */
  public void closed(C c, List<Ended> ended, long nowUs) throws SQLException {
    PreparedStatement rows = null;
    PreparedStatement refused = null;
    for (Ended e : ended) {
      if (!e.applied()) {
        refused = refused == null ? c.ps(refuse) : refused;
        bindRefused(refused, e.jobId(), e.fence(), e.workerId(), e.attempted(), nowUs);
        refused.addBatch();
      } else if (!e.outcome().endsTheJob()) {
        rows = rows == null ? c.ps(ENDED) : rows;
        // a release gave its attempt back (the row's count went down by one): the entry keeps its number
        bindEnded(rows, e.jobId(), e.fence(), e.outcome() == AttemptOutcome.RELEASED ? 1 : 0, e.workerId(), nowUs,
            e.outcome(), e.errorJson());
        rows.addBatch();
      }
    }
    if (rows != null) {
      rows.executeBatch();
      trim(c, ended.stream().filter(e -> e.applied() && !e.outcome().endsTheJob()).toList());
    }
    if (refused != null) {
      refused.executeBatch();
    }
  }

  /** Records the attempt of job {@code jobId} under {@code fence} as ended with {@code outcome}. */
  public void closed(C c, long jobId, long fence, AttemptOutcome outcome, long nowUs) throws SQLException {
    closed(c, List.of(new Ended(jobId, fence, "", outcome, null, true, "")), nowUs);
  }

  /** Records the running attempts of reclaimed jobs as {@link AttemptOutcome#LOST}, with their workers. */
  public void lost(C c, Map<Long, String> workerByJob, long nowUs) throws SQLException {
    if (workerByJob.isEmpty()) {
      return;
    }
    PreparedStatement ps = c.ps(ENDED_RUNNING);
    for (Map.Entry<Long, String> e : workerByJob.entrySet()) {
      bindEnded(ps, e.getKey(), -1, 0, e.getValue(), nowUs, AttemptOutcome.LOST, lostError(e.getKey(), e.getValue()));
      ps.addBatch();
    }
    ps.executeBatch();
    PreparedStatement drop = c.ps(TRIM_BY_JOB);
    for (Long id : workerByJob.keySet()) {
      drop.setLong(1, id);
      drop.setLong(2, id);
      drop.setLong(3, keep);
      drop.addBatch();
    }
    drop.executeBatch();
  }

  private static void bindEnded(PreparedStatement ps, long jobId, long fence, int attemptOffset, String workerId,
      long nowUs, AttemptOutcome outcome, @Nullable String errorJson) throws SQLException {
    ps.setInt(1, attemptOffset);
    ps.setString(2, workerId);
    ps.setLong(3, nowUs);
    ps.setLong(4, nowUs);
    ps.setString(5, outcome.name());
    ps.setString(6, errorJson);
    ps.setLong(7, jobId);
    if (fence >= 0) {
      ps.setLong(8, fence);
    }
  }

  /** Drops the rows of the jobs' claims older than the last {@link #keep} (only jobs claimed more often). */
  private void trim(C c, List<Ended> written) throws SQLException {
    PreparedStatement drop = null;
    for (Ended e : written) {
      if (e.fence() > keep) {
        drop = drop == null ? c.ps(TRIM) : drop;
        drop.setLong(1, e.jobId());
        drop.setLong(2, e.fence() - keep);
        drop.addBatch();
      }
    }
    if (drop != null) {
      drop.executeBatch();
    }
  }

  /**
   * Before an operator requeues finished jobs {@code ids} (in {@code spindle_jobs}, restored from a
   * history first): writes each one's last attempt, which its row keeps until the next claim.
   */
  public void keepLast(C c, long[] ids) throws SQLException {
    PreparedStatement ps = c.ps(keepLast);
    for (long id : ids) {
      ps.setLong(1, id);
      ps.addBatch();
    }
    ps.executeBatch();
  }

  /** The error a lost attempt of job {@code id} under {@code workerId} records. */
  public static String lostError(long id, @Nullable String workerId) {
    return JobError.of("dev.spindle.WorkerLostException", "worker " + workerId + " lost job " + id
        + ": its lease ran out or it stopped without stopping the job").toJson();
  }

  /** Records a write of {@code workerId} under {@code fence} that the fence refused, if the job exists. */
  public void refused(C c, long jobId, long fence, String workerId, String attempted, long nowUs)
      throws SQLException {
    PreparedStatement ps = c.ps(refuse);
    bindRefused(ps, jobId, fence, workerId, attempted, nowUs);
    ps.executeUpdate();
  }

  private static void bindRefused(PreparedStatement ps, long jobId, long fence, String workerId, String attempted,
      long nowUs) throws SQLException {
    ps.setLong(1, fence);
    ps.setString(2, workerId);
    ps.setLong(3, nowUs);
    ps.setString(4, attempted);
    ps.setLong(5, jobId);
  }

  // ---------------------------------------------------------------- reads (AttemptLedger)

  @Override
  public int keep() {
    return keep;
  }

  @Override
  public Optional<JobAttempts> attempts(String jobId) {
    long id = SqlJobRows.idOrNeg(jobId);
    return db.read("read the attempts of job " + jobId, c -> {
      PreparedStatement job = c.ps(current);
      job.setLong(1, id);
      Current now;
      try (ResultSet rs = job.executeQuery()) {
        if (!rs.next()) {
          return Optional.<JobAttempts>empty();
        }
        now = Current.read(rs);
      }
      PreparedStatement ps = c.ps("SELECT " + COLUMNS + " FROM spindle_job_attempts WHERE job_id = ?"
          + " ORDER BY fence, kind, started_at");
      ps.setLong(1, id);
      TreeMap<Long, AttemptRecord> attempts = new TreeMap<>();
      List<RefusedWrite> refused = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getInt(2) == ATTEMPT) {
            AttemptRecord a = attempt(rs);
            attempts.merge(a.fence(), a, (x, y) -> x.running() ? y : x); // an ended entry over an open one
          } else {
            refused.add(new RefusedWrite(rs.getLong(1), rs.getString(4), SqlJobRows.instant(rs.getLong(6)),
                rs.getString(8)));
          }
        }
      }
      now.merge(attempts, keep);
      refused.sort(java.util.Comparator.comparing(RefusedWrite::at));
      return Optional.of(new JobAttempts(List.copyOf(attempts.values()), refused));
    });
  }

  private static AttemptRecord attempt(ResultSet rs) throws SQLException {
    long ended = rs.getLong(7);
    boolean open = rs.wasNull();
    return new AttemptRecord(rs.getInt(3), rs.getLong(1), rs.getString(4), rs.getString(5),
        SqlJobRows.instant(rs.getLong(6)), open ? null : SqlJobRows.instant(ended),
        AttemptOutcome.parse(rs.getString(8)), rs.getString(9));
  }

  /** A job's row as the ledger reads it: its current (or, once finished, last) attempt. */
  private record Current(long fence, int attempt, @Nullable String workerId, @Nullable String host,
      @Nullable Long startedAt, @Nullable Long finishedAt, JobState state, @Nullable String error) {
    static Current read(ResultSet rs) throws SQLException {
      long started = rs.getLong(5);
      Long startedAt = rs.wasNull() ? null : started;
      long finished = rs.getLong(6);
      Long finishedAt = rs.wasNull() ? null : finished;
      return new Current(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getString(4), startedAt, finishedAt,
          SqlJobRows.state(rs.getInt(7)), rs.getString(8));
    }

    /**
     * Adds the attempt the row tells to {@code attempts} (by fence): a running one, or the one that
     * finished the job, unless an entry of its own ended it; then drops entries older than the last
     * {@code keep} claims.
     */
    void merge(TreeMap<Long, AttemptRecord> attempts, int keep) {
      AttemptRecord kept = attempts.get(fence);
      String worker = workerId;
      Long started = startedAt;
      if (fence > 0 && worker != null && started != null && (kept == null || kept.running())) {
        AttemptOutcome ended = AttemptOutcome.endingIn(state);
        AttemptRecord row = new AttemptRecord(attempt, fence, worker, kept != null ? kept.host() : host,
            SqlJobRows.instant(started), null, null, null);
        if (state == JobState.RUNNING) {
          attempts.put(fence, row);
        } else if (ended != null) {
          Instant at = finishedAt != null ? SqlJobRows.instant(finishedAt) : row.startedAt();
          attempts.put(fence, row.closed(at, ended,
              ended == AttemptOutcome.FAILED || ended == AttemptOutcome.DEAD ? error : null));
        }
      }
      attempts.headMap(fence - keep, true).clear();
    }
  }

  @Override
  public Map<String, Long> duplicatesByTask() {
    return db.read("count duplicate executions", c -> {
      Map<String, Long> out = new TreeMap<>();
      try (ResultSet rs = c.ps(duplicates).executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
      return out;
    });
  }
}
