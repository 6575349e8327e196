package dev.spindle.store.postgres;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.sql.SqlFlow;
import dev.spindle.queue.spi.sql.SqlPolicies;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.JobRows;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The claim path of {@link PostgresJobStore}, inside the caller's transaction: due delayed jobs
 * promoted and the queues' rules read in one statement, then per queue one {@code UPDATE ... FROM
 * (SELECT ... FOR UPDATE SKIP LOCKED)} along the ready index (keyed jobs one at a time through
 * {@link SqlFlow}), limited queues taking turns under an advisory lock. Thread-safe (stateless
 * apart from its collaborators).
 */
final class PostgresClaims {
  // The SET clauses of set-based moves, checked against JobState's table when the class loads.
  private static final String SCHEDULED_TO_QUEUED = JobRows.moveTo(JobState.SCHEDULED, JobState.QUEUED);
  private static final String QUEUED_TO_RUNNING = JobRows.moveTo(JobState.QUEUED, JobState.RUNNING);
  /** Claims the best ready job of a queue and flow key, skipping rows other claims hold ({@link SqlFlow}). */
  private static final String TAKE_KEYED = "UPDATE spindle_jobs j SET " + QUEUED_TO_RUNNING + ", worker_id = ?,"
      + " fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 FROM (SELECT id AS sid"
      + " FROM spindle_jobs WHERE state = " + JobRows.QUEUED + " AND queue = ? AND flow_key = ?"
      + " ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED) s WHERE j.id = s.sid RETURNING "
      + JobRows.CLAIM_COLUMNS;
  /** Claims the best ready job without a flow key of a queue that has keyed ones. */
  private static final String TAKE_UNKEYED = "UPDATE spindle_jobs j SET " + QUEUED_TO_RUNNING + ", worker_id = ?,"
      + " fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 FROM (SELECT id AS sid"
      + " FROM spindle_jobs WHERE state = " + JobRows.QUEUED + " AND queue = ? AND flow_key IS NULL"
      + " ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED) s WHERE j.id = s.sid RETURNING "
      + JobRows.CLAIM_COLUMNS;
  /** The most delayed jobs one claim makes ready. */
  private static final int PROMOTE_BATCH = 1000;

  private final Clock clock;
  private final SqlFlow<Db.Conn> flow;
  private final SqlPolicies policies;

  PostgresClaims(Clock clock, SqlFlow<Db.Conn> flow, SqlPolicies policies) {
    this.clock = clock;
    this.flow = flow;
    this.policies = policies;
  }

  /** Claims in the caller's transaction, statistics added. */
  ClaimResult claimTx(Db.Conn c, ClaimRequest req) throws SQLException {
    Map<Integer, Long> stats = new HashMap<>();
    Instant at = clock.instant();
    long now = JobRows.micros(at);
    // one round trip: due delayed jobs become ready (rows another claim is promoting are skipped,
    // not waited for), and the queues' limits, the paused queues and the next due time are read
    PreparedStatement rules = c.ps("WITH p AS (UPDATE spindle_jobs j SET " + SCHEDULED_TO_QUEUED
        + " FROM (SELECT id AS sid FROM spindle_jobs WHERE state = " + JobRows.SCHEDULED + " AND run_at <= ?"
        + " ORDER BY run_at LIMIT " + PROMOTE_BATCH + " FOR UPDATE SKIP LOCKED) s WHERE j.id = s.sid AND j.state = "
        + JobRows.SCHEDULED + " RETURNING 1)"
        + " SELECT name, max_running, NULL::bigint FROM spindle_queues"
        + " UNION ALL SELECT queue, -1, NULL FROM spindle_paused"
        + " UNION ALL SELECT NULL, (SELECT count(*) FROM p)::int, (SELECT min(run_at) FROM spindle_jobs"
        + " WHERE state = " + JobRows.SCHEDULED + " AND run_at > ?)");
    rules.setLong(1, now);
    rules.setLong(2, now);
    Map<String, Integer> limits = new HashMap<>();
    int promoted = 0;
    Long nextDue = null;
    try (ResultSet rs = rules.executeQuery()) {
      while (rs.next()) {
        String name = rs.getString(1);
        if (name != null) {
          limits.merge(name, rs.getInt(2), Math::min);
        } else {
          promoted = rs.getInt(2);
          if (promoted > 0) {
            flow.readied();
          }
          long v = rs.getLong(3);
          nextDue = rs.wasNull() ? null : v;
        }
      }
    }
    // one statement per queue: lock up to n ready rows in claim order along spindle_jobs_ready,
    // skipping rows other claims hold, and take them
    PreparedStatement take = c.ps("UPDATE spindle_jobs j SET " + QUEUED_TO_RUNNING
        + ", worker_id = ?, fence = fence + 1,"
        + " attempt = attempt + 1, started_at = ?, cancel_requested = 0 FROM (SELECT id AS sid FROM spindle_jobs"
        + " WHERE state = " + JobRows.QUEUED + " AND queue = ? ORDER BY priority DESC, id LIMIT ?"
        + " FOR UPDATE SKIP LOCKED) s WHERE j.id = s.sid RETURNING " + JobRows.CLAIM_COLUMNS);
    List<JobInfo> claimed = new ArrayList<>();
    long[] flowNext = {Long.MAX_VALUE}; // the earliest time a flow rule that held a key lifts (us)
    int remaining = req.max();
    for (String q : req.queues()) {
      if (remaining == 0) {
        break;
      }
      int available = remaining;
      Integer limit = limits.get(q);
      if (limit != null && limit < 0) {
        continue; // paused
      }
      if (limit != null && limit > 0) {
        // claims of a limited queue take turns, so that two workers cannot both fill the last slot
        PreparedStatement turn = c.ps("SELECT pg_advisory_xact_lock(hashtext('spindle-queue:' || current_schema()"
            + " || ':' || ?))");
        turn.setString(1, q);
        turn.execute();
        available = Math.min(available, limit - runningIn(c, q));
        if (available <= 0) {
          continue;
        }
      }
      List<JobInfo> part = new ArrayList<>();
      int keyed = SqlFlow.claimKeyed(c, flow, q, available, now, key -> {
        PreparedStatement one = c.ps(key == null ? TAKE_UNKEYED : TAKE_KEYED);
        one.setString(1, req.workerId());
        one.setLong(2, now);
        one.setString(3, q);
        if (key != null) {
          one.setString(4, key);
        }
        try (ResultSet rs = one.executeQuery()) {
          if (!rs.next()) {
            return null;
          }
          JobInfo j = JobRows.readClaimed(rs, req.workerId(), req.now(), id -> policies.get(c, id));
          part.add(j);
          stats.merge(MinuteStats.WAIT_BASE + MinuteStats.bucket(Duration.between(j.runAt(), at)), 1L,
              Long::sum);
          return j;
        }
      }, flowNext);
      if (keyed < 0) {
        take.setString(1, req.workerId());
        take.setLong(2, now);
        take.setString(3, q);
        take.setInt(4, available);
        try (ResultSet rs = take.executeQuery()) {
          while (rs.next()) {
            JobInfo j = JobRows.readClaimed(rs, req.workerId(), req.now(), id -> policies.get(c, id));
            part.add(j);
            stats.merge(MinuteStats.WAIT_BASE + MinuteStats.bucket(Duration.between(j.runAt(), at)), 1L,
                Long::sum);
          }
        }
      }
      part.sort(Comparator.comparingInt(JobInfo::priority).reversed()
          .thenComparingLong(j -> Long.parseLong(j.id())));
      claimed.addAll(part);
      remaining -= part.size();
    }
    if (!claimed.isEmpty()) {
      stats.merge(MinuteStats.STARTED, (long) claimed.size(), Long::sum);
    }
    Instant next = null;
    if (remaining > 0) {
      // a full promotion batch may have left due jobs behind: they are due now
      next = promoted >= PROMOTE_BATCH ? at : nextDue == null ? null : JobRows.instant(nextDue);
    }
    if (flowNext[0] != Long.MAX_VALUE && (next == null || JobRows.micros(next) > flowNext[0])) {
      next = JobRows.instant(flowNext[0]);
    }
    PostgresJobStore.addStats(c, clock.instant(), stats);
    return new ClaimResult(claimed, next);
  }

  private static int runningIn(Db.Conn c, String queue) throws SQLException {
    PreparedStatement ps = c.ps("SELECT count(*) FROM spindle_jobs WHERE state = " + JobRows.RUNNING
        + " AND queue = ?");
    ps.setString(1, queue);
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
