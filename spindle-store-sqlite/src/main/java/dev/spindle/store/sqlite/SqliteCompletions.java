package dev.spindle.store.sqlite;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Completion;
import dev.spindle.store.jdbc.internal.SqlCompletions;
import dev.spindle.store.jdbc.internal.SqlCompletions.Applied;
import dev.spindle.store.jdbc.internal.SqlCompletions.Planned;
import dev.spindle.store.jdbc.internal.SqlEnqueue;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.JobRows;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@link SqliteJobStore} writes completions for the engine's completion path ({@link
 * SqlCompletions}): a call's completions grouped into five fenced statements (succeeded, retry,
 * failed or dead, cancelled, released), each run as one JDBC batch, finish numbers counted on from
 * {@code spindle_meta}. Thread-safe (stateless: one writer runs one call at a time).
 */
final class SqliteCompletions implements SqlCompletions.Writes<Db.Conn>, SqlCompletions.Applier<Db.Conn> {
  private static final String HELD = "fence = ? AND worker_id = ? AND id = ? AND state = " + JobRows.RUNNING;
  // The SET clauses of set-based moves, checked against JobState's table when the class loads.
  private static final String RUNNING_TO_SUCCEEDED = JobRows.moveTo(JobState.RUNNING, JobState.SUCCEEDED);
  private static final String RUNNING_TO_CANCELLED = JobRows.moveTo(JobState.RUNNING, JobState.CANCELLED);
  private static final String RUNNING_TO_QUEUED = JobRows.moveTo(JobState.RUNNING, JobState.QUEUED);
  private static final String SUCCEEDED = "UPDATE spindle_jobs SET " + RUNNING_TO_SUCCEEDED + ", result = ?,"
      + " finished_at = ?, finish_seq = ?, expires_at = ? + " + JobRows.RESULT_TTL + ", cancel_requested = 0"
      + " WHERE " + HELD;
  private static final String RETRY = "UPDATE spindle_jobs SET state = ?, failures = failures + 1, error = ?,"
      + " run_at = ?, cancel_requested = 0 WHERE " + HELD;
  private static final String FAILED = "UPDATE spindle_jobs SET state = ?, failures = failures + ?, error = ?,"
      + " dead_reason = ?, finished_at = ?, finish_seq = ?, expires_at = ? + " + JobRows.FAILURE_TTL
      + ", cancel_requested = 0 WHERE " + HELD;
  private static final String CANCELLED = "UPDATE spindle_jobs SET " + RUNNING_TO_CANCELLED
      + ", error = coalesce(?, error), finished_at = ?, finish_seq = ?, expires_at = ? + " + JobRows.RESULT_TTL
      + ", cancel_requested = 0 WHERE " + HELD + " AND cancel_requested >= ?";
  private static final String RELEASED = "UPDATE spindle_jobs SET " + RUNNING_TO_QUEUED
      + ", attempt = max(attempt - 1, 0), run_at = ?, cancel_requested = 0 WHERE " + HELD
      + " AND cancel_requested = 0";

  /** The one applier: the writer runs one call at a time. */
  @Override
  public SqlCompletions.Applier<Db.Conn> start(Db.Conn c, boolean again) {
    return this;
  }

  /** Prepares a statement. */
  @FunctionalInterface
  private interface Statements {
    PreparedStatement get(String sql) throws SQLException;
  }

  /** Batches larger than {@link SqlEnqueue#SMALL_BATCH} use statements of their own. */
  @Override
  public Applied[] apply(Db.Conn c, List<Planned> planned, long now) throws SQLException {
    if (planned.size() <= SqlEnqueue.SMALL_BATCH) {
      return apply(c, planned, now, c::ps);
    }
    List<PreparedStatement> fresh = new ArrayList<>();
    try {
      return apply(c, planned, now, sql -> {
        PreparedStatement ps = c.jdbc().prepareStatement(sql);
        fresh.add(ps);
        return ps;
      });
    } finally {
      for (PreparedStatement ps : fresh) {
        ps.close();
      }
    }
  }

  private static Applied[] apply(Db.Conn c, List<Planned> planned, long now, Statements st) throws SQLException {
    long seq = SqliteMeta.get(c, "finish_seq");
    PreparedStatement[] statements = {st.get(SUCCEEDED), st.get(RETRY), st.get(FAILED), st.get(CANCELLED),
        st.get(RELEASED)};
    int n = planned.size();
    int[][] slot = new int[n][];
    int[] counts = new int[5];
    for (int i = 0; i < n; i++) {
      Planned p = planned.get(i);
      Completion k = p.completion();
      PreparedStatement ps = statements[p.group().ordinal()];
      switch (p.group()) {
        case SUCCEEDED -> {
          ps.setString(1, k.resultJson());
          ps.setLong(2, now);
          ps.setLong(3, ++seq);
          ps.setLong(4, now);
          held(ps, 5, p);
        }
        case RETRY -> {
          ps.setInt(1, JobRows.code(p.to()));
          ps.setString(2, k.errorJson());
          ps.setLong(3, p.runAtUs());
          held(ps, 4, p);
        }
        case FAILED -> {
          ps.setInt(1, JobRows.code(p.to()));
          ps.setInt(2, p.failureIncrement());
          ps.setString(3, k.errorJson());
          ps.setString(4, p.deadReason());
          ps.setLong(5, now);
          ps.setLong(6, ++seq);
          ps.setLong(7, now);
          held(ps, 8, p);
        }
        case CANCELLED -> {
          ps.setString(1, k.errorJson());
          ps.setLong(2, now);
          ps.setLong(3, ++seq);
          ps.setLong(4, now);
          held(ps, 5, p);
          ps.setInt(8, p.release() ? 1 : 0);
        }
      }
      ps.addBatch();
      slot[i] = new int[] {p.group().ordinal(), counts[p.group().ordinal()]++, -1};
      if (p.release()) {
        PreparedStatement released = statements[4];
        released.setLong(1, now);
        held(released, 2, p);
        released.addBatch();
        slot[i][2] = counts[4]++;
      }
    }
    int[][] results = new int[5][];
    for (int s = 0; s < 5; s++) {
      results[s] = counts[s] == 0 ? new int[0] : statements[s].executeBatch();
    }
    SqliteMeta.set(c, "finish_seq", seq);
    Applied[] out = new Applied[n];
    for (int i = 0; i < n; i++) {
      int[] sl = slot[i];
      out[i] = results[sl[0]][sl[1]] > 0 ? Applied.MOVED
          : sl[2] >= 0 && results[4][sl[2]] > 0 ? Applied.OTHERWISE : Applied.NO;
    }
    return out;
  }

  private static void held(PreparedStatement ps, int from, Planned p) throws SQLException {
    ps.setLong(from, p.completion().fence());
    ps.setString(from + 1, p.completion().workerId());
    ps.setLong(from + 2, p.id());
  }
}
