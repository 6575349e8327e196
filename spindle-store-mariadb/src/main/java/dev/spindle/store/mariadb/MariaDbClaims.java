package dev.spindle.store.mariadb;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.store.jdbc.internal.SqlClaims;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The claim statements of the MariaDB store ({@link SqlClaims}): per queue the best ready rows
 * locked with {@code FOR UPDATE SKIP LOCKED} along the ready index, moved to RUNNING by id, and
 * read back (MariaDB has no {@code UPDATE ... RETURNING}). Stateless.
 */
final class MariaDbClaims implements SqlClaims.Store<MariaDbDb.Conn> {
  private static final String READY = "SELECT id FROM spindle_jobs WHERE state = " + SqlJobRows.QUEUED + " AND queue = ?";
  private static final String OF_TASKS = " AND task IN (SELECT t.name FROM JSON_TABLE(?, '$[*]' COLUMNS (name"
      + " VARCHAR(255) PATH '$')) AS t)";
  private static final String ORDER = " ORDER BY priority DESC, id LIMIT ";
  private static final String LOCK = " FOR UPDATE SKIP LOCKED";
  private static final String START = "UPDATE spindle_jobs SET " + SqlJobRows.moveTo(JobState.QUEUED, JobState.RUNNING)
      + ", worker_id = ?, fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE id IN ";
  private static final String READ_BACK = "SELECT " + SqlJobRows.CLAIM_COLUMNS + " FROM spindle_jobs WHERE id IN ";

  /**
   * True: InnoDB's promoting UPDATE locks the records it scans on the scheduled index, up to the
   * first one past the due range (often a row another claim just started), even when nothing is
   * due, so every claim would wait there for the one before it to commit.
   */
  @Override
  public boolean readBeforePromoting() {
    return true;
  }

  @Override
  public String takeOne(@Nullable String key) {
    return READY + (key == null ? " AND flow_key IS NULL" : " AND flow_key = ?") + ORDER + "1" + LOCK;
  }

  @Override
  public String takeMany() {
    return READY + ORDER + "?" + LOCK;
  }

  @Override
  public String takeOneOf(@Nullable String key) {
    return READY + (key == null ? " AND flow_key IS NULL" : " AND flow_key = ?") + OF_TASKS + ORDER + "1" + LOCK;
  }

  @Override
  public String takeManyOf() {
    return READY + OF_TASKS + ORDER + "?" + LOCK;
  }

  @Override
  public @Nullable JobInfo takeKeyed(MariaDbDb.Conn c, String sql, String workerId, long nowUs, String queue,
      @Nullable String key, @Nullable Set<String> tasks, SqlClaims.ClaimedRows rows) throws SQLException {
    PreparedStatement ps = c.ps(sql);
    int i = 1;
    ps.setString(i++, queue);
    if (key != null) {
      ps.setString(i++, key);
    }
    if (tasks != null) {
      bindTasks(c, ps, i, tasks);
    }
    List<JobInfo> out = start(c, ps, workerId, nowUs, rows);
    return out.isEmpty() ? null : out.get(0);
  }

  @Override
  public void takeReady(MariaDbDb.Conn c, String sql, String workerId, long nowUs, String queue,
      @Nullable Set<String> tasks, int max, SqlClaims.ClaimedRows rows) throws SQLException {
    PreparedStatement ps = c.ps(sql);
    ps.setString(1, queue);
    int i = 2;
    if (tasks != null) {
      bindTasks(c, ps, i++, tasks);
    }
    ps.setInt(i, max);
    start(c, ps, workerId, nowUs, rows);
  }

  /** Locks the rows {@code select} finds, starts them under the worker, and reads them back. */
  private static List<JobInfo> start(MariaDbDb.Conn c, PreparedStatement select, String workerId, long nowUs,
      SqlClaims.ClaimedRows rows) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    if (ids.isEmpty()) {
      return List.of();
    }
    // literal ids (numbers read from the database): an IN list is a range lookup, where a subquery
    // in a single-table UPDATE would be evaluated per row
    StringBuilder in = new StringBuilder("(");
    for (long id : ids) {
      in.append(in.length() > 1 ? "," : "").append(id);
    }
    in.append(')');
    PreparedStatement up = c.ps(START + in);
    up.setString(1, workerId);
    up.setLong(2, nowUs);
    up.executeUpdate();
    PreparedStatement back = c.ps(READ_BACK + in + " ORDER BY priority DESC, id");
    List<JobInfo> out = new ArrayList<>(ids.size());
    try (ResultSet rs = back.executeQuery()) {
      while (rs.next()) {
        out.add(rows.claimed(rs));
      }
    }
    return out;
  }

  /** Before a limited queue's running jobs are counted: its row locked, so two claims do not both fill the last slot. */
  @Override
  public void beforeCount(MariaDbDb.Conn c, String queue) throws SQLException {
    PreparedStatement ps = c.ps("SELECT 1 FROM spindle_queues WHERE name = ? FOR UPDATE");
    ps.setString(1, queue);
    ps.executeQuery().close();
  }
}
