package dev.spindle.store.jdbc.internal;

import dev.spindle.TaskContext;
import dev.spindle.queue.JobProgress;
import dev.spindle.queue.spi.ProgressStore;
import dev.spindle.queue.spi.ProgressUpdate;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ProgressStore} of every SQL store: a job's latest progress and its line count in
 * {@code spindle_job_progress} (one row per job that reported), its kept log lines in {@code
 * spindle_job_log} (numbered by {@code seq}). A {@link #write} is one transaction for the whole
 * batch: per update, the job row is read with a share lock and checked ({@code state = RUNNING},
 * {@code worker_id}, {@code fence}), then the progress row is written, the lines inserted and the
 * lines beyond the limit deleted. Reads join the job, so reports of a deleted job are never read;
 * the rows go with the job (a delete trigger where the store has one, else {@link #sweep} after
 * retention). Thread-safe (stateless besides its collaborators).
 *
 * @param <C> the store's connection type
 */
public final class SqlProgress<C extends JdbcConn> implements ProgressStore {
  private final SqlDb<C> db;
  private final JdbcDialect dialect;

  /** The progress side of the store on {@code db}. */
  public SqlProgress(SqlDb<C> db, JdbcDialect dialect) {
    this.db = db;
    this.dialect = dialect;
  }

  @Override
  public List<Boolean> write(List<ProgressUpdate> updates, int maxLines) {
    if (maxLines < 1) {
      throw new IllegalArgumentException("maxLines must be at least 1, got " + maxLines);
    }
    if (updates.isEmpty()) {
      return List.of();
    }
    return db.write("write the progress of " + updates.size() + " job(s)", c -> {
      List<Boolean> out = new ArrayList<>(updates.size());
      for (ProgressUpdate u : updates) {
        out.add(writeOne(c, u, maxLines));
      }
      return out;
    });
  }

  private boolean writeOne(C c, ProgressUpdate u, int maxLines) throws SQLException {
    long id = SqlJobRows.idOrNeg(u.jobId());
    PreparedStatement held = c.ps("SELECT 1 FROM spindle_jobs WHERE id = ? AND state = " + SqlJobRows.RUNNING
        + " AND worker_id = ? AND fence = ?" + dialect.forShare());
    held.setLong(1, id);
    held.setString(2, u.workerId());
    held.setLong(3, u.fence());
    try (ResultSet rs = held.executeQuery()) {
      if (!rs.next()) {
        return false;
      }
    }
    PreparedStatement read = c.ps("SELECT lines_total FROM spindle_job_progress WHERE job_id = ?");
    read.setLong(1, id);
    long total;
    boolean exists;
    try (ResultSet rs = read.executeQuery()) {
      exists = rs.next();
      total = exists ? rs.getLong(1) : 0;
    }
    long newTotal = total + u.lines().size();
    if (!exists) {
      PreparedStatement ins = c.ps("INSERT INTO spindle_job_progress (job_id, fraction, message, updated_at,"
          + " lines_total) VALUES (?, ?, ?, ?, ?)");
      ins.setLong(1, id);
      setProgress(ins, 2, u);
      ins.setLong(5, newTotal);
      ins.executeUpdate();
    } else if (u.fraction() != null) {
      PreparedStatement upd = c.ps("UPDATE spindle_job_progress SET fraction = ?, message = ?, updated_at = ?,"
          + " lines_total = ? WHERE job_id = ?");
      setProgress(upd, 1, u);
      upd.setLong(4, newTotal);
      upd.setLong(5, id);
      upd.executeUpdate();
    } else if (!u.lines().isEmpty()) {
      PreparedStatement upd = c.ps("UPDATE spindle_job_progress SET lines_total = ? WHERE job_id = ?");
      upd.setLong(1, newTotal);
      upd.setLong(2, id);
      upd.executeUpdate();
    }
    insertLines(c, id, total, u.lines(), maxLines);
    if (newTotal > maxLines) {
      PreparedStatement drop = c.ps("DELETE FROM spindle_job_log WHERE job_id = ? AND seq <= ?");
      drop.setLong(1, id);
      drop.setLong(2, newTotal - maxLines);
      drop.executeUpdate();
    }
    return true;
  }

  private static void setProgress(PreparedStatement ps, int from, ProgressUpdate u) throws SQLException {
    Double f = u.fraction();
    if (f == null) {
      ps.setNull(from, Types.DOUBLE);
      ps.setString(from + 1, "");
      ps.setNull(from + 2, Types.BIGINT);
    } else {
      ps.setDouble(from, f);
      ps.setString(from + 1, u.message());
      ps.setLong(from + 2, SqlJobRows.micros(u.updatedAt()));
    }
  }

  /** Inserts the lines that will be kept (those numbered above {@code total + size - maxLines}). */
  private static void insertLines(JdbcConn c, long id, long total, List<JobProgress.Line> lines, int maxLines)
      throws SQLException {
    int skip = Math.max(0, lines.size() - maxLines);
    if (lines.size() == skip) {
      return;
    }
    PreparedStatement ps = c.ps("INSERT INTO spindle_job_log (job_id, seq, logged_at, log_level, message)"
        + " VALUES (?, ?, ?, ?, ?)");
    for (int i = skip; i < lines.size(); i++) {
      JobProgress.Line l = lines.get(i);
      ps.setLong(1, id);
      ps.setLong(2, total + i + 1);
      ps.setLong(3, SqlJobRows.micros(l.at()));
      ps.setString(4, l.level().name());
      ps.setString(5, l.message());
      ps.addBatch();
    }
    ps.executeBatch();
  }

  @Override
  public Optional<JobProgress> view(String jobId) {
    long id = SqlJobRows.idOrNeg(jobId);
    return db.read("read the progress of job " + jobId, c -> {
      PreparedStatement ps = c.ps("SELECT p.fraction, p.message, p.updated_at, p.lines_total FROM "
          + dialect.allJobs() + " j LEFT JOIN spindle_job_progress p ON p.job_id = j.id WHERE j.id = ?");
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        long total = rs.getLong(4);
        if (rs.wasNull()) {
          return Optional.of(JobProgress.NONE);
        }
        double f = rs.getDouble(1);
        @Nullable Double fraction = rs.wasNull() ? null : f;
        String message = rs.getString(2);
        long at = rs.getLong(3);
        boolean noTime = rs.wasNull();
        return Optional.of(new JobProgress(fraction, message == null ? "" : message,
            fraction == null || noTime ? null : SqlJobRows.instant(at), lines(c, id), total));
      }
    });
  }

  private static List<JobProgress.Line> lines(JdbcConn c, long id) throws SQLException {
    PreparedStatement ps = c.ps("SELECT seq, logged_at, log_level, message FROM spindle_job_log WHERE job_id = ?"
        + " ORDER BY seq");
    ps.setLong(1, id);
    List<JobProgress.Line> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String message = rs.getString(4);
        out.add(new JobProgress.Line(rs.getLong(1), SqlJobRows.instant(rs.getLong(2)),
            TaskContext.LogLevel.valueOf(rs.getString(3)), message == null ? "" : message));
      }
    }
    return out;
  }

  /**
   * Deletes the progress rows and lines of jobs that no longer exist (retention, purge or delete
   * took them, or moved them where a trigger cannot follow), up to {@link SqlDurable#SWEEP_BATCH}
   * jobs per table; the rest go at the next call.
   *
   * @return the rows deleted
   */
  public int sweep() {
    return db.write("delete the progress reports of deleted jobs", c -> {
      int n = 0;
      for (String table : List.of("spindle_job_progress", "spindle_job_log")) {
        PreparedStatement ps = c.ps("DELETE FROM " + table + " WHERE job_id IN (" + dialect.limitedIds(
            "SELECT DISTINCT r.job_id AS id FROM " + table + " r WHERE NOT EXISTS (SELECT 1 FROM " + dialect.allJobs()
                + " j WHERE j.id = r.job_id) LIMIT " + SqlDurable.SWEEP_BATCH) + ")");
        n += ps.executeUpdate();
      }
      return n;
    });
  }
}
