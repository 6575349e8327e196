package dev.spindle.store.mariadb;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Completion;
import dev.spindle.store.jdbc.internal.SqlCompletions;
import dev.spindle.store.jdbc.internal.SqlCompletions.Applied;
import dev.spindle.store.jdbc.internal.SqlCompletions.Planned;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * How the MariaDB store writes completions for the shared completion path ({@link SqlCompletions}):
 * a call's completions in five fenced statements (succeeded, retry, failed or dead, cancelled,
 * released), each sent as one JDBC batch; finish numbers taken once per call under the lock of
 * {@link MariaDbFinishes}, only if a job finishes. Thread-safe (stateless apart from its collaborators).
 */
final class MariaDbCompletions implements SqlCompletions.Writes<MariaDbDb.Conn>, SqlCompletions.Applier<MariaDbDb.Conn> {
  private static final String HELD = "fence = ? AND worker_id = ? AND id = ? AND state = " + SqlJobRows.RUNNING;
  private static final String[] SQL = {
      "UPDATE spindle_jobs SET " + SqlJobRows.moveTo(JobState.RUNNING, JobState.SUCCEEDED) + ", result = ?,"
          + " finished_at = ?, finish_seq = ?, expires_at = ? + " + SqlJobRows.RESULT_TTL + ", cancel_requested = 0"
          + " WHERE " + HELD,
      "UPDATE spindle_jobs SET state = ?, failures = failures + 1, error = ?, run_at = ?, cancel_requested = 0"
          + " WHERE " + HELD,
      "UPDATE spindle_jobs SET state = ?, failures = failures + ?, error = ?, dead_reason = ?, finished_at = ?,"
          + " finish_seq = ?, expires_at = ? + " + SqlJobRows.FAILURE_TTL + ", cancel_requested = 0 WHERE " + HELD,
      "UPDATE spindle_jobs SET " + SqlJobRows.moveTo(JobState.RUNNING, JobState.CANCELLED) + ", error ="
          + " coalesce(?, error), finished_at = ?, finish_seq = ?, expires_at = ? + " + SqlJobRows.RESULT_TTL
          + ", cancel_requested = 0 WHERE " + HELD + " AND cancel_requested >= ?",
      "UPDATE spindle_jobs SET " + SqlJobRows.moveTo(JobState.RUNNING, JobState.QUEUED) + ", attempt ="
          + " GREATEST(attempt - 1, 0), run_at = ?, cancel_requested = 0 WHERE " + HELD + " AND cancel_requested = 0"};
  private static final int RELEASED = 4;

  private final MariaDbFinishes finishes;

  MariaDbCompletions(MariaDbFinishes finishes) {
    this.finishes = finishes;
  }

  /** Itself: the applier keeps nothing between calls. */
  @Override
  public SqlCompletions.Applier<MariaDbDb.Conn> start(MariaDbDb.Conn c, boolean again) {
    return this;
  }

  @Override
  public Applied[] apply(MariaDbDb.Conn c, List<Planned> planned, long now) throws SQLException {
    boolean finishing = planned.stream().anyMatch(p -> p.group() != SqlCompletions.Group.RETRY);
    long first = finishing ? finishes.take(c) : 0;
    long seq = first - 1;
    PreparedStatement[] st = new PreparedStatement[SQL.length];
    int n = planned.size();
    int[][] slot = new int[n][];
    int[] counts = new int[SQL.length];
    for (int i = 0; i < n; i++) {
      Planned p = planned.get(i);
      Completion k = p.completion();
      int g = p.group().ordinal();
      PreparedStatement ps = statement(c, st, g);
      switch (p.group()) {
        case SUCCEEDED -> {
          ps.setString(1, k.resultJson());
          ps.setLong(2, now);
          ps.setLong(3, ++seq);
          ps.setLong(4, now);
          held(ps, 5, p);
        }
        case RETRY -> {
          ps.setInt(1, SqlJobRows.code(p.to()));
          ps.setString(2, k.errorJson());
          ps.setLong(3, p.runAtUs());
          held(ps, 4, p);
        }
        case FAILED -> {
          ps.setInt(1, SqlJobRows.code(p.to()));
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
      slot[i] = new int[] {g, counts[g]++, -1};
      if (p.release()) {
        PreparedStatement released = statement(c, st, RELEASED);
        released.setLong(1, now);
        held(released, 2, p);
        released.addBatch();
        slot[i][2] = counts[RELEASED]++;
      }
    }
    int[][] results = new int[SQL.length][];
    for (int s = 0; s < SQL.length; s++) {
      results[s] = counts[s] == 0 ? new int[0] : st[s].executeBatch();
    }
    if (finishing) {
      finishes.taken(c, seq);
    }
    Applied[] out = new Applied[n];
    for (int i = 0; i < n; i++) {
      int[] sl = slot[i];
      out[i] = moved(results[sl[0]][sl[1]]) ? Applied.MOVED
          : sl[2] >= 0 && moved(results[RELEASED][sl[2]]) ? Applied.OTHERWISE : Applied.NO;
    }
    return out;
  }

  /** A batch's count of rows changed (the pool's sessions turn bulk batches off: counts are exact). */
  private static boolean moved(int count) {
    return count > 0;
  }

  private static PreparedStatement statement(MariaDbDb.Conn c, PreparedStatement[] st, int g) throws SQLException {
    if (st[g] == null) {
      st[g] = c.ps(SQL[g]);
    }
    return st[g];
  }

  private static void held(PreparedStatement ps, int from, Planned p) throws SQLException {
    ps.setLong(from, p.completion().fence());
    ps.setString(from + 1, p.completion().workerId());
    ps.setLong(from + 2, p.id());
  }
}
