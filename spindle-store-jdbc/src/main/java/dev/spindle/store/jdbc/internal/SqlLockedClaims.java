package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The claim statements ({@link SqlClaims.Store}) of a database without {@code UPDATE ...
 * RETURNING} ({@link JdbcDialect#returning} false, MariaDB): per queue the best ready rows selected
 * and locked with the dialect's {@code FOR UPDATE SKIP LOCKED} along the ready index, moved to
 * RUNNING by id, then read back in the same transaction. Task filters bind the names as one
 * parameter ({@link JdbcDialect#namesParameter}). Thread-safe (stateless).
 *
 * @param <C> the store's connection type
 */
public final class SqlLockedClaims<C extends JdbcConn> implements SqlClaims.Store<C> {
  private static final String START = "UPDATE spindle_jobs SET " + SqlJobRows.moveTo(JobState.QUEUED, JobState.RUNNING)
      + ", worker_id = ?, fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE id IN ";
  private static final String READ_BACK = "SELECT " + SqlJobRows.CLAIM_COLUMNS + " FROM spindle_jobs WHERE id IN ";
  private static final String ORDER = " ORDER BY priority DESC, id";

  private final JdbcDialect dialect;
  private final String ready;
  private final String ofTasks;

  /** The claim statements in {@code dialect}'s SQL. */
  public SqlLockedClaims(JdbcDialect dialect) {
    this.dialect = dialect;
    this.ready = "SELECT id FROM spindle_jobs WHERE state = " + SqlJobRows.QUEUED + " AND queue = ?";
    this.ofTasks = " AND task IN (" + dialect.namesParameter() + ")";
  }

  /**
   * True: a promoting UPDATE may lock the records it scans on the scheduled index, up to the first
   * one past the due range (InnoDB: often a row another claim just started), even when nothing is
   * due, so every claim would wait there for the one before it to commit; a plain read first avoids
   * that when nothing is due.
   */
  @Override
  public boolean readBeforePromoting() {
    return true;
  }

  @Override
  public String takeOne(@Nullable String key) {
    return select(keyed(key), "1");
  }

  @Override
  public String takeMany() {
    return select("", "?");
  }

  @Override
  public String takeOneOf(@Nullable String key) {
    return select(keyed(key) + ofTasks, "1");
  }

  @Override
  public String takeManyOf() {
    return select(ofTasks, "?");
  }

  private static String keyed(@Nullable String key) {
    return key == null ? " AND flow_key IS NULL" : " AND flow_key = ?";
  }

  /** The ids of the best ready jobs of a queue matching {@code where}, at most {@code limit}, locked. */
  private String select(String where, String limit) {
    return ready + where + ORDER + " LIMIT " + limit + dialect.forUpdateSkipLocked("spindle_jobs");
  }

  /** Parameters: the queue, the flow key (unless null), the task names (unless null). */
  @Override
  public @Nullable JobInfo takeKeyed(C c, String sql, String workerId, long nowUs, String queue, @Nullable String key,
      @Nullable Set<String> tasks, SqlClaims.ClaimedRows rows) throws SQLException {
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

  /** Parameters: the queue, the task names (unless null), the most jobs. */
  @Override
  public void takeReady(C c, String sql, String workerId, long nowUs, String queue, @Nullable Set<String> tasks,
      int max, SqlClaims.ClaimedRows rows) throws SQLException {
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
  private static List<JobInfo> start(JdbcConn c, PreparedStatement select, String workerId, long nowUs,
      SqlClaims.ClaimedRows rows) throws SQLException {
    StringBuilder in = new StringBuilder("(");
    int n = 0;
    try (ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        // literal ids (numbers read from the database): an IN list is a range lookup, where a
        // subquery in a single-table UPDATE would be evaluated per row
        in.append(n++ == 0 ? "" : ",").append(rs.getLong(1));
      }
    }
    if (n == 0) {
      return List.of();
    }
    in.append(')');
    PreparedStatement up = c.ps(START + in);
    up.setString(1, workerId);
    up.setLong(2, nowUs);
    up.executeUpdate();
    List<JobInfo> out = new ArrayList<>(n);
    try (ResultSet rs = c.ps(READ_BACK + in + ORDER).executeQuery()) {
      while (rs.next()) {
        out.add(rows.claimed(rs));
      }
    }
    return out;
  }

  /** A limited queue's row locked first, so that two claims do not both fill its last slot. */
  @Override
  public void beforeCount(C c, String queue) throws SQLException {
    PreparedStatement ps = c.ps("SELECT 1 FROM spindle_queues WHERE name = ?" + dialect.forUpdate());
    ps.setString(1, queue);
    ps.executeQuery().close();
  }
}
