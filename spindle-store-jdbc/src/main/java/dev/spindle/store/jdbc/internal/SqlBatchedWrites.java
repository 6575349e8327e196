package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Completion;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import dev.spindle.store.jdbc.internal.SqlCompletions.Applied;
import dev.spindle.store.jdbc.internal.SqlCompletions.Planned;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The completion writes of {@link JdbcDialect.Batching#STATEMENT_BATCHES}: a call's completions in
 * five fenced statements (succeeded, retry, failed or dead, cancelled, released), each sent as one
 * JDBC batch; the finish numbers of a call taken once from the store's {@link
 * SqlJobEnds.Numbering} (whose {@code nextFinishSeq} must be {@code "?"}), only if a job finishes.
 * A job named twice in one call is completed by its first completion that is fenced correctly (the
 * batch runs in order). Thread-safe (stateless: one applier serves every call).
 *
 * @param <C> the connection type
 */
public final class SqlBatchedWrites<C extends JdbcConn> implements SqlCompletions.Writes<C>, SqlCompletions.Applier<C> {
  private static final String HELD = "fence = ? AND worker_id = ? AND id = ? AND state = " + SqlJobRows.RUNNING;
  private static final int RELEASED = 4;

  private final SqlJobEnds.Numbering<C> numbering;
  /** The statements of {@link SqlCompletions.Group}'s outcomes in order, then the release. */
  private final String[] sql;

  /**
   * @throws IllegalArgumentException if {@code numbering} does not bind finish numbers as parameters
   */
  public SqlBatchedWrites(JdbcDialect dialect, SqlJobEnds.Numbering<C> numbering) {
    if (!numbering.nextFinishSeq().equals("?")) {
      throw new IllegalArgumentException("statement batches bind finish numbers: nextFinishSeq must be \"?\"");
    }
    this.numbering = numbering;
    this.sql = new String[] {
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
        "UPDATE spindle_jobs SET " + SqlJobRows.moveTo(JobState.RUNNING, JobState.QUEUED) + ", attempt = "
            + dialect.greatest("attempt - 1", "0") + ", run_at = ?, cancel_requested = 0 WHERE " + HELD
            + " AND cancel_requested = 0"};
  }

  /** The one applier. */
  @Override
  public SqlCompletions.Applier<C> start(C c, boolean again) {
    return this;
  }

  /** Prepares a statement. */
  @FunctionalInterface
  private interface Statements {
    PreparedStatement get(String sql) throws SQLException;
  }

  /** Batches larger than {@link SqlEnqueue#SMALL_BATCH} use statements of their own. */
  @Override
  public Applied[] apply(C c, List<Planned> planned, long now) throws SQLException {
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

  private Applied[] apply(C c, List<Planned> planned, long now, Statements st) throws SQLException {
    boolean finishing = planned.stream().anyMatch(p -> p.group() != SqlCompletions.Group.RETRY);
    long seq = finishing ? numbering.take(c) - 1 : 0;
    PreparedStatement[] statements = new PreparedStatement[sql.length];
    int n = planned.size();
    int[][] slot = new int[n][];
    int[] counts = new int[sql.length];
    for (int i = 0; i < n; i++) {
      Planned p = planned.get(i);
      Completion k = p.completion();
      int g = p.group().ordinal();
      PreparedStatement ps = statement(st, statements, g);
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
          ps.setInt(8, p.release() ? 1 : 0); // a released job whose cancel was requested is cancelled
        }
      }
      ps.addBatch();
      slot[i] = new int[] {g, counts[g]++, -1};
      if (p.release()) {
        PreparedStatement released = statement(st, statements, RELEASED);
        released.setLong(1, now);
        held(released, 2, p);
        released.addBatch();
        slot[i][2] = counts[RELEASED]++;
      }
    }
    int[][] results = new int[sql.length][];
    for (int s = 0; s < sql.length; s++) {
      PreparedStatement ps = statements[s];
      results[s] = ps == null ? new int[0] : ps.executeBatch();
    }
    if (finishing) {
      numbering.taken(c, seq);
    }
    Applied[] out = new Applied[n];
    for (int i = 0; i < n; i++) {
      int[] sl = slot[i];
      out[i] = results[sl[0]][sl[1]] > 0 ? Applied.MOVED
          : sl[2] >= 0 && results[RELEASED][sl[2]] > 0 ? Applied.OTHERWISE : Applied.NO;
    }
    return out;
  }

  private PreparedStatement statement(Statements st, PreparedStatement[] statements, int g) throws SQLException {
    PreparedStatement ps = statements[g];
    if (ps == null) {
      ps = st.get(sql[g]);
      statements[g] = ps;
    }
    return ps;
  }

  private static void held(PreparedStatement ps, int from, Planned p) throws SQLException {
    ps.setLong(from, p.completion().fence());
    ps.setString(from + 1, p.completion().workerId());
    ps.setLong(from + 2, p.id());
  }
}
