package dev.spindle.store.postgres;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.store.jdbc.internal.SqlJobEnds;
import dev.spindle.store.jdbc.internal.SqlPolicies;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.FinishHorizon;
import dev.spindle.store.postgres.internal.JobRows;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How jobs of {@link PostgresJobStore} end, inside the caller's transaction: a terminal move
 * ({@link SqlJobEnds}) takes the next finish sequence number under the {@link FinishHorizon}; and
 * the feed of finished jobs is read in that order up to the horizon. Thread-safe
 * (stateless apart from its collaborators).
 */
final class PostgresFinishes implements SqlJobEnds.Numbering<Db.Conn> {
  private final FinishHorizon horizon;
  private final SqlPolicies policies;

  PostgresFinishes(FinishHorizon horizon, SqlPolicies policies) {
    this.horizon = horizon;
    this.policies = policies;
  }

  /** The next number of the sequence {@code spindle_finish_seq}, in the updating statement. */
  @Override
  public String nextFinishSeq() {
    return "nextval('spindle_finish_seq')";
  }

  /** Takes the finishing lock in shared mode before the number is taken ({@link FinishHorizon}). */
  @Override
  public long take(Db.Conn c) throws SQLException {
    horizon.lockIn(c);
    return -1;
  }

  @Override
  public void taken(Db.Conn c, long last) {}

  @Override
  public void addStats(Db.Conn c, Instant now, Map<Integer, Long> counters) throws SQLException {
    PostgresStatistics.addStats(c, now, counters);
  }

  /**
   * The feed after {@code cursor} up to the safe horizon {@code upTo} ({@link FinishHorizon}): numbers
   * above it may still appear. The next cursor is the last job's number when the page is full, else
   * the horizon (numbers of rolled-back transactions are skipped).
   */
  FinishedBatch finishedIn(Db.Conn c, long cursor, int limit, long upTo) throws SQLException {
    if (upTo <= cursor) {
      return new FinishedBatch(List.of(), cursor);
    }
    PreparedStatement ps = c.ps("SELECT " + JobRows.COLUMNS + " FROM spindle_all_jobs WHERE " + JobRows.IS_TERMINAL + " AND "
        + "finish_seq > ? AND finish_seq <= ? ORDER BY finish_seq LIMIT ?");
    ps.setLong(1, cursor);
    ps.setLong(2, upTo);
    ps.setInt(3, limit);
    List<JobInfo> out = new ArrayList<>();
    long last = cursor;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        JobInfo j = JobRows.read(rs, id -> policies.get(c, id));
        out.add(j);
        last = j.finishSeq();
      }
    }
    return new FinishedBatch(out, out.size() < limit ? upTo : last);
  }
}
