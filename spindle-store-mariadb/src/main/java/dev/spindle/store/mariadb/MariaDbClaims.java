package dev.spindle.store.mariadb;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.store.jdbc.internal.SqlClaims;
import dev.spindle.store.jdbc.internal.SqlFlow;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import dev.spindle.store.jdbc.internal.SqlPolicies;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The claim path of the MariaDB store, inside the caller's transaction: due jobs promoted, the
 * queues' rules read, then per queue ({@link SqlClaims}) the best ready rows locked with {@code FOR
 * UPDATE SKIP LOCKED} along the ready index, moved to RUNNING by id, and read back (MariaDB has no
 * {@code UPDATE ... RETURNING}). Thread-safe (stateless apart from its collaborators).
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

  private final Clock clock;
  private final SqlFlow<MariaDbDb.Conn> flow;
  private final SqlClaims<MariaDbDb.Conn> queues;

  MariaDbClaims(Clock clock, SqlFlow<MariaDbDb.Conn> flow, SqlPolicies policies) {
    this.clock = clock;
    this.flow = flow;
    this.queues = new SqlClaims<>(flow, policies, this);
  }

  /** Claims in the caller's transaction, statistics added. */
  ClaimResult claimTx(MariaDbDb.Conn c, ClaimRequest req) throws SQLException {
    Instant at = clock.instant();
    long now = SqlJobRows.micros(at);
    PreparedStatement promote = c.ps("UPDATE spindle_jobs SET " + SqlJobRows.moveTo(JobState.SCHEDULED,
        JobState.QUEUED) + " WHERE state = " + SqlJobRows.SCHEDULED + " AND run_at <= ?");
    promote.setLong(1, now);
    if (promote.executeUpdate() > 0) {
      flow.readied();
    }
    Map<String, Integer> limits = new HashMap<>();
    try (ResultSet rs = c.ps("SELECT name, max_running FROM spindle_queues UNION ALL SELECT queue, -1 FROM"
        + " spindle_paused").executeQuery()) {
      while (rs.next()) {
        limits.merge(rs.getString(1), rs.getInt(2), Math::min);
      }
    }
    Map<Integer, Long> stats = new HashMap<>();
    SqlClaims.Taken taken = queues.take(c, req, limits, at, stats);
    MariaDbFinishes.writeStats(c, at, stats);
    Instant next = null;
    if (taken.remaining() > 0) {
      try (ResultSet rs = c.ps("SELECT min(run_at) FROM spindle_jobs WHERE state = " + SqlJobRows.SCHEDULED)
          .executeQuery()) {
        if (rs.next() && rs.getObject(1) != null) {
          next = SqlJobRows.instant(rs.getLong(1));
        }
      }
    }
    return new ClaimResult(taken.jobs(), taken.next(next));
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

  /** The names as one JSON array parameter. */
  @Override
  public void bindTasks(MariaDbDb.Conn c, PreparedStatement ps, int index, Set<String> tasks) throws SQLException {
    StringBuilder b = new StringBuilder("[");
    for (String n : tasks) {
      b.append(b.length() > 1 ? "," : "").append('"').append(n.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    ps.setString(index, b.append(']').toString());
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
