package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The attempts ledger of a SQL store ({@code spindle_job_attempts}): written inside the transactions
 * of the claims ({@link #opened}), completions ({@link #closed}), suspensions, reclaims ({@link
 * #lost}) and refused step writes ({@link #refused}), each as one JDBC batch for all the jobs of the
 * call (no round trip per job); read by operators ({@link AttemptLedger}). A row is an attempt
 * ({@code kind} 0, its outcome and error set when it ends) or a refused write ({@code kind} 1, what
 * it tried in {@code outcome}). Rows of claims older than the last {@link #keep()} are deleted by the
 * next claim; rows of deleted jobs are never read (reads check the job) and are swept after retention
 * with the durable records ({@link SqlDurable#sweep}), or deleted by a trigger where the schema has
 * one. Thread-safe (stateless besides its collaborators).
 *
 * @param <C> the store's connection type
 */
public final class SqlAttempts<C extends JdbcConn> implements AttemptLedger {
  private static final int ATTEMPT = 0;
  private static final int REFUSED = 1;
  private static final String OPEN = "INSERT INTO spindle_job_attempts (job_id, fence, kind, attempt, worker_id,"
      + " host, started_at) VALUES (?, ?, " + ATTEMPT + ", ?, ?, (SELECT w.host FROM spindle_workers w WHERE w.id"
      + " = ?), ?)";
  private static final String TRIM = "DELETE FROM spindle_job_attempts WHERE job_id = ? AND fence <= ?";
  private static final String CLOSE = "UPDATE spindle_job_attempts SET ended_at = ?, outcome = ?, error = ?"
      + " WHERE job_id = ? AND fence = ? AND kind = " + ATTEMPT + " AND ended_at IS NULL";
  private static final String CLOSE_LOST = "UPDATE spindle_job_attempts SET ended_at = ?, outcome = '"
      + AttemptOutcome.LOST.name() + "', error = ? WHERE job_id = ? AND kind = " + ATTEMPT + " AND ended_at IS NULL";
  private static final String COLUMNS = "fence, kind, attempt, worker_id, host, started_at, ended_at, outcome, error";

  private final SqlDb<C> db;
  private final String refuse;
  private final String jobExists;
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
    this.jobExists = "SELECT 1 FROM " + dialect.allJobs() + " WHERE id = ?";
    this.duplicates = "SELECT j.task, count(DISTINCT a.job_id) FROM spindle_job_attempts a JOIN " + dialect.allJobs()
        + " j ON j.id = a.job_id WHERE a.kind = " + REFUSED + " OR (a.kind = " + ATTEMPT + " AND a.outcome = '"
        + AttemptOutcome.LOST.name() + "' AND EXISTS (SELECT 1 FROM spindle_job_attempts b WHERE b.job_id ="
        + " a.job_id AND b.kind = " + ATTEMPT + " AND b.fence > a.fence)) GROUP BY j.task";
  }

  // ---------------------------------------------------------------- writes, in the caller's transaction

  /** Opens one attempt per claimed job (and drops the rows of its claims older than the last {@link #keep}). */
  public void opened(C c, List<JobInfo> claimed, String workerId, long nowUs) throws SQLException {
    if (claimed.isEmpty()) {
      return;
    }
    PreparedStatement open = c.ps(OPEN);
    boolean trim = false;
    for (JobInfo j : claimed) {
      open.setLong(1, Long.parseLong(j.id()));
      open.setLong(2, j.fence());
      open.setInt(3, j.attempt());
      open.setString(4, workerId);
      open.setString(5, workerId);
      open.setLong(6, nowUs);
      open.addBatch();
      trim |= j.fence() > keep;
    }
    open.executeBatch();
    if (trim) { // only jobs claimed more than keep times have rows to drop
      PreparedStatement drop = c.ps(TRIM);
      for (JobInfo j : claimed) {
        if (j.fence() > keep) {
          drop.setLong(1, Long.parseLong(j.id()));
          drop.setLong(2, j.fence() - keep);
          drop.addBatch();
        }
      }
      drop.executeBatch();
    }
  }

  /** One completion's entry: its job, fence and worker, and how it turned out. */
  public record Ended(long jobId, long fence, String workerId, AttemptOutcome outcome, @Nullable String errorJson,
      boolean applied, String attempted) {}

  /**
   * Closes the attempts of applied completions with their outcome and error, and records the refused
   * ones ({@code applied} false), one batch each.
   */
  public void closed(C c, List<Ended> ended, long nowUs) throws SQLException {
    PreparedStatement close = null;
    PreparedStatement refused = null;
    for (Ended e : ended) {
      if (e.applied()) {
        close = close == null ? c.ps(CLOSE) : close;
        close.setLong(1, nowUs);
        close.setString(2, e.outcome().name());
        close.setString(3, e.errorJson());
        close.setLong(4, e.jobId());
        close.setLong(5, e.fence());
        close.addBatch();
      } else {
        refused = refused == null ? c.ps(refuse) : refused;
        bindRefused(refused, e.jobId(), e.fence(), e.workerId(), e.attempted(), nowUs);
        refused.addBatch();
      }
    }
    if (close != null) {
      close.executeBatch();
    }
    if (refused != null) {
      refused.executeBatch();
    }
  }

  /** Closes the running attempt of job {@code jobId} under {@code fence} with {@code outcome}. */
  public void closed(C c, long jobId, long fence, AttemptOutcome outcome, long nowUs) throws SQLException {
    closed(c, List.of(new Ended(jobId, fence, "", outcome, null, true, "")), nowUs);
  }

  /** Closes the running attempts of reclaimed jobs as {@link AttemptOutcome#LOST}, with their workers. */
  public void lost(C c, Map<Long, String> workerByJob, long nowUs) throws SQLException {
    if (workerByJob.isEmpty()) {
      return;
    }
    PreparedStatement lost = c.ps(CLOSE_LOST);
    for (Map.Entry<Long, String> e : workerByJob.entrySet()) {
      lost.setLong(1, nowUs);
      lost.setString(2, lostError(e.getKey(), e.getValue()));
      lost.setLong(3, e.getKey());
      lost.addBatch();
    }
    lost.executeBatch();
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
      PreparedStatement exists = c.ps(jobExists);
      exists.setLong(1, id);
      try (ResultSet rs = exists.executeQuery()) {
        if (!rs.next()) {
          return Optional.<JobAttempts>empty();
        }
      }
      PreparedStatement ps = c.ps("SELECT " + COLUMNS + " FROM spindle_job_attempts WHERE job_id = ?"
          + " ORDER BY fence, kind, started_at");
      ps.setLong(1, id);
      List<AttemptRecord> attempts = new ArrayList<>();
      List<RefusedWrite> refused = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getInt(2) == ATTEMPT) {
            long ended = rs.getLong(7);
            boolean open = rs.wasNull();
            attempts.add(new AttemptRecord(rs.getInt(3), rs.getLong(1), rs.getString(4), rs.getString(5),
                SqlJobRows.instant(rs.getLong(6)), open ? null : SqlJobRows.instant(ended),
                AttemptOutcome.parse(rs.getString(8)), rs.getString(9)));
          } else {
            refused.add(new RefusedWrite(rs.getLong(1), rs.getString(4), SqlJobRows.instant(rs.getLong(6)),
                rs.getString(8)));
          }
        }
      }
      refused.sort(java.util.Comparator.comparing(RefusedWrite::at));
      return Optional.of(new JobAttempts(attempts, refused));
    });
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
