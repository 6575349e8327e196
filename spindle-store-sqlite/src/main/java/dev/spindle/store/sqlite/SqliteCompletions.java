package dev.spindle.store.sqlite;

import dev.spindle.PayloadException;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.spi.sql.SqlDependencies;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.JobRows;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The completion path of {@link SqliteJobStore}, inside the caller's write transaction: a call's
 * completions grouped by outcome into five fenced statements (succeeded, retry, failed or dead,
 * cancelled, released), each run as one JDBC batch, then the statistics, the finish sequence and
 * the finished jobs' dependents. A completion applies only while its job is RUNNING under the
 * completion's fence and worker. Thread-safe.
 */
final class SqliteCompletions {
  private static final String HELD = "fence = ? AND worker_id = ? AND id = ? AND state = " + JobRows.RUNNING;
  // The SET clauses of set-based moves, checked against JobState's table when the class loads.
  private static final String RUNNING_TO_SUCCEEDED = JobRows.moveTo(JobState.RUNNING, JobState.SUCCEEDED);
  private static final String RUNNING_TO_CANCELLED = JobRows.moveTo(JobState.RUNNING, JobState.CANCELLED);
  private static final String RUNNING_TO_QUEUED = JobRows.moveTo(JobState.RUNNING, JobState.QUEUED);
  private static final String RESULT_TTL = SqliteJobEnds.RESULT_TTL;
  private static final String FAILURE_TTL = SqliteJobEnds.FAILURE_TTL;

  private final Clock clock;
  private final SqlDependencies<Db.Conn> deps;
  private final int maxPayloadBytes;

  /** @param maxPayloadBytes a larger result fails its job instead (see {@link SqliteEnqueue#tooLarge}) */
  SqliteCompletions(Clock clock, SqlDependencies<Db.Conn> deps, int maxPayloadBytes) {
    this.clock = clock;
    this.deps = deps;
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /**
   * Applies {@code completions} in {@code c}'s transaction; per completion, whether it applied.
   * Batches larger than {@link SqliteEnqueue#SMALL_BATCH} use statements of their own.
   */
  List<Boolean> completeTx(Db.Conn c, List<Completion> completions, Instant nowInstant)
      throws SQLException {
    if (completions.size() <= SqliteEnqueue.SMALL_BATCH) {
      return completeTx(c, completions, nowInstant, c::ps);
    }
    List<PreparedStatement> fresh = new ArrayList<>();
    try {
      return completeTx(c, completions, nowInstant, sql -> {
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

  /** Prepares a statement. */
  @FunctionalInterface
  private interface Statements {
    PreparedStatement get(String sql) throws SQLException;
  }

  private List<Boolean> completeTx(Db.Conn c, List<Completion> completions, Instant callerNow, Statements st)
      throws SQLException {
    StoreClock sc = StoreClock.read(clock, callerNow);
    long now = JobRows.micros(sc.now());
    long seq = SqliteMeta.get(c, "finish_seq");
    PreparedStatement succeeded = st.get("UPDATE spindle_jobs SET " + RUNNING_TO_SUCCEEDED
        + ", result = ?, finished_at = ?,"
        + " finish_seq = ?, expires_at = ? + " + RESULT_TTL + ", cancel_requested = 0 WHERE " + HELD);
    PreparedStatement retry = st.get("UPDATE spindle_jobs SET state = ?, failures = failures + 1, error = ?,"
        + " run_at = ?, cancel_requested = 0 WHERE " + HELD);
    PreparedStatement failed = st.get("UPDATE spindle_jobs SET state = ?, failures = failures + ?, error = ?,"
        + " dead_reason = ?, finished_at = ?, finish_seq = ?, expires_at = ? + " + FAILURE_TTL
        + ", cancel_requested = 0 WHERE " + HELD);
    PreparedStatement cancelled = st.get("UPDATE spindle_jobs SET " + RUNNING_TO_CANCELLED
        + ", error = coalesce(?, error),"
        + " finished_at = ?, finish_seq = ?, expires_at = ? + " + RESULT_TTL + ", cancel_requested = 0 WHERE "
        + HELD + " AND cancel_requested >= ?");
    PreparedStatement released = st.get("UPDATE spindle_jobs SET " + RUNNING_TO_QUEUED
        + ", attempt = max(attempt - 1, 0),"
        + " run_at = ?, cancel_requested = 0 WHERE " + HELD + " AND cancel_requested = 0");
    int n = completions.size();
    int[][] slot = new int[n][];
    int[] counts = new int[5];
    for (int i = 0; i < n; i++) {
      Completion k = completions.get(i);
      if (k.outcome() == Completion.Outcome.SUCCEEDED && SqliteEnqueue.tooLarge(k.resultJson(), maxPayloadBytes)) {
        PayloadException pe = new PayloadException("the result of job " + k.jobId() + " is larger than the "
            + "store's limit of " + maxPayloadBytes + " bytes; return a reference instead of the data");
        k = Completion.failed(k.jobId(), k.fence(), k.workerId(), JobError.from(pe).toJson());
      }
      long id = Long.parseLong(k.jobId());
      switch (k.outcome()) {
        case SUCCEEDED -> {
          succeeded.setString(1, k.resultJson());
          succeeded.setLong(2, now);
          succeeded.setLong(3, ++seq);
          succeeded.setLong(4, now);
          held(succeeded, 5, k, id);
          succeeded.addBatch();
          slot[i] = new int[] {0, counts[0]++};
        }
        case RETRY -> {
          long at = JobRows.micros(sc.translate(Objects.requireNonNull(k.retryAt(), "retryAt of a RETRY completion")));
          JobState to = at > now ? JobState.SCHEDULED : JobState.QUEUED;
          JobState.checkTransition(k.jobId(), JobState.RUNNING, to);
          retry.setInt(1, JobRows.code(to));
          retry.setString(2, k.errorJson());
          retry.setLong(3, at);
          held(retry, 4, k, id);
          retry.addBatch();
          slot[i] = new int[] {1, counts[1]++};
        }
        case FAILED, DEAD -> {
          boolean dead = k.outcome() == Completion.Outcome.DEAD;
          JobState to = dead ? JobState.DEAD : JobState.FAILED;
          JobState.checkTransition(k.jobId(), JobState.RUNNING, to);
          failed.setInt(1, JobRows.code(to));
          failed.setInt(2, dead ? 0 : 1);
          failed.setString(3, k.errorJson());
          failed.setString(4, dead ? k.deadReason() : null);
          failed.setLong(5, now);
          failed.setLong(6, ++seq);
          failed.setLong(7, now);
          held(failed, 8, k, id);
          failed.addBatch();
          slot[i] = new int[] {2, counts[2]++};
        }
        case CANCELLED, RELEASED -> {
          // a released job whose cancel was requested is cancelled instead of running again
          boolean release = k.outcome() == Completion.Outcome.RELEASED;
          cancelled.setString(1, k.errorJson());
          cancelled.setLong(2, now);
          cancelled.setLong(3, ++seq);
          cancelled.setLong(4, now);
          held(cancelled, 5, k, id);
          cancelled.setInt(8, release ? 1 : 0);
          cancelled.addBatch();
          slot[i] = new int[] {3, counts[3]++, -1};
          if (release) {
            released.setLong(1, now);
            held(released, 2, k, id);
            released.addBatch();
            slot[i][2] = counts[4]++;
          }
        }
      }
    }
    int[][] results = new int[5][];
    PreparedStatement[] statements = {succeeded, retry, failed, cancelled, released};
    for (int s = 0; s < 5; s++) {
      results[s] = counts[s] == 0 ? new int[0] : statements[s].executeBatch();
    }
    List<Boolean> applied = new ArrayList<>(n);
    Map<Integer, Long> stats = new HashMap<>();
    for (int i = 0; i < n; i++) {
      int[] sl = slot[i];
      boolean ok = results[sl[0]][sl[1]] > 0;
      if (ok) {
        int counter = switch (sl[0]) {
          case 0 -> MinuteStats.SUCCEEDED;
          case 1 -> MinuteStats.RETRIED;
          case 2 -> completions.get(i).outcome() == Completion.Outcome.DEAD ? MinuteStats.DEAD : MinuteStats.FAILED;
          default -> MinuteStats.CANCELLED;
        };
        stats.merge(counter, 1L, Long::sum);
      }
      if (sl.length == 3 && sl[2] >= 0) {
        ok |= results[4][sl[2]] > 0;
      }
      applied.add(ok);
    }
    SqliteStatistics.addStats(c, sc.now(), stats);
    SqliteMeta.set(c, "finish_seq", seq);
    if (deps.any(c)) {
      List<Long> ends = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Completion.Outcome o = completions.get(i).outcome();
        if (applied.get(i) && o != Completion.Outcome.RETRY) {
          ends.add(Long.parseLong(completions.get(i).jobId())); // a release: no end, no effect
        }
      }
      deps.endedAll(c, ends, sc.now()); // the batch's ends together: a dependent counts down once
    }
    return applied;
  }

  private static void held(PreparedStatement ps, int from, Completion k, long id) throws SQLException {
    ps.setLong(from, k.fence());
    ps.setString(from + 1, k.workerId());
    ps.setLong(from + 2, id);
  }
}
