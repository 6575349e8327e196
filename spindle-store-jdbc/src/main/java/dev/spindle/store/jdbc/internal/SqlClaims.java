package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.jdbc.JdbcConn;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The claim path of a SQL store, inside the caller's transaction ({@link #claim}): due delayed jobs
 * made ready and the queues' rules read ({@link Store#promote}), then the requested queues in their
 * order, paused ones skipped, limited ones filled up to their limit, keyed jobs taken one at a time
 * through {@link SqlFlow#claimKeyed}, the others in one statement; each queue's jobs in claim order
 * (priority, then id); then the statistics and the next due time. The statements that take jobs are
 * the dialect's ({@link Store}). Thread-safe (stateless apart from its collaborators).
 *
 * @param <C> the store's connection type
 */
public final class SqlClaims<C extends JdbcConn> {
  /**
   * What differs between the stores in taking a queue's ready jobs. The statements set every
   * claimed job RUNNING under the worker and return {@link SqlJobRows#CLAIM_COLUMNS}; their
   * parameters are the worker id, the start time (us), the queue, then the flow key or the most jobs.
   *
   * @param <C> the store's connection type
   */
  public interface Store<C extends JdbcConn> {
    /**
     * Makes due delayed jobs ready and reads the queues' rules, at the start of a claim. Default:
     * every due job promoted by one UPDATE (only if a plain read finds one first, where {@link
     * #readBeforePromoting} says so), then the limits and the paused queues by one query.
     *
     * @param nowUs the store's time (us)
     */
    default Rules promote(C c, long nowUs) throws SQLException {
      int promoted = readBeforePromoting() && !anyDue(c, nowUs) ? 0 : promoteDue(c, nowUs);
      Map<String, Integer> limits = new HashMap<>();
      try (ResultSet rs = c.ps(RULES).executeQuery()) {
        while (rs.next()) {
          limits.merge(rs.getString(1), rs.getInt(2), Math::min);
        }
      }
      return new Rules(limits, promoted, null);
    }

    /**
     * Whether a claim reads (without locking) if any delayed job is due before it runs the promoting
     * UPDATE. True where that UPDATE locks the scanned index range even when it changes nothing
     * (InnoDB), so that claims would otherwise wait for each other there. Default: false.
     */
    default boolean readBeforePromoting() {
      return false;
    }

    /**
     * When the earliest delayed job is due, for a claim that took fewer jobs than it could
     * ({@code rules}: what {@link #promote} read). Default: read now; null if none.
     */
    default @Nullable Instant nextDue(C c, Rules rules, Instant at) throws SQLException {
      try (ResultSet rs = c.ps(NEXT_DUE).executeQuery()) {
        return rs.next() ? SqlJobRows.instant(rs.getLong(1)) : null;
      }
    }

    /** Jobs became ready again in this process (promoted, released, retried, revived). Default: nothing. */
    default void readied() {}

    /** Jobs were enqueued and committed ({@code results} in their order). Default: nothing. */
    default void enqueued(List<NewJob> jobs, List<EnqueueResult> results) {}

    /**
     * Claims the best ready job of a queue with flow key {@code key}, or the best one without a flow
     * key if {@code key} is null (then the key parameter is absent).
     */
    String takeOne(@Nullable String key);

    /** Claims up to the given number of the best ready jobs of a queue, keyed or not. */
    String takeMany();

    /**
     * {@link #takeOne} for a claim limited to some tasks ({@link ClaimRequest#tasks}): its parameters
     * are those of {@link #takeOne}, then the task names ({@link #bindTasks}).
     */
    String takeOneOf(@Nullable String key);

    /**
     * {@link #takeMany} for a claim limited to some tasks: its parameters are the worker id, the start
     * time (us), the queue, the task names ({@link #bindTasks}), then the most jobs.
     */
    String takeManyOf();

    /**
     * Sets parameter {@code index} of a statement of {@link #takeOneOf} or {@link #takeManyOf} to the
     * task names. Default: one JSON array of strings, as text.
     */
    default void bindTasks(C c, PreparedStatement ps, int index, Set<String> tasks) throws SQLException {
      StringBuilder b = new StringBuilder("[");
      for (String n : tasks) {
        b.append(b.length() > 1 ? "," : "").append('"').append(n.replace("\\", "\\\\").replace("\"", "\\\""))
            .append('"');
      }
      ps.setString(index, b.append(']').toString());
    }

    /**
     * Claims up to {@code max} of the best ready jobs of {@code queue} by {@code sql} ({@link
     * #takeMany} or {@link #takePlain}; its parameters: the worker id, the start time (us), the
     * queue, the most jobs; or {@link #takeManyOf} with {@code tasks}), giving each claimed row to
     * {@code rows}. A store may take them another way that claims the same jobs (PostgreSQL starts
     * its walk of the ready index where its last claim of the queue ended, see its {@code
     * ClaimPositions}). Default: runs {@code sql}.
     *
     * @param tasks the only tasks to claim ({@link #takeManyOf}), or null for any
     */
    default void takeReady(C c, String sql, String workerId, long nowUs, String queue, @Nullable Set<String> tasks,
        int max, ClaimedRows rows) throws SQLException {
      PreparedStatement take = c.ps(sql);
      int next = bindClaimer(take, workerId, nowUs, queue);
      if (tasks != null) {
        bindTasks(c, take, next++, tasks);
      }
      take.setInt(next, max);
      try (ResultSet rs = take.executeQuery()) {
        while (rs.next()) {
          rows.claimed(rs);
        }
      }
    }

    /**
     * Claims the best ready job of {@code queue} by {@code sql} ({@link #takeOne} or {@link
     * #takeOneOf}; its parameters: the worker id, the start time (us), the queue, the flow key if
     * {@code key} is not null, then the task names if {@code tasks} is not null), giving the claimed
     * row to {@code rows}; null if none. A store without {@code UPDATE ... RETURNING} (MariaDB)
     * locks and reads the row its own way. Default: runs {@code sql}.
     */
    default @Nullable JobInfo takeKeyed(C c, String sql, String workerId, long nowUs, String queue,
        @Nullable String key, @Nullable Set<String> tasks, ClaimedRows rows) throws SQLException {
      PreparedStatement one = c.ps(sql);
      int next = bindClaimer(one, workerId, nowUs, queue);
      if (key != null) {
        one.setString(next++, key);
      }
      if (tasks != null) {
        bindTasks(c, one, next, tasks);
      }
      try (ResultSet rs = one.executeQuery()) {
        return rs.next() ? rows.claimed(rs) : null;
      }
    }

    /**
     * Sets the first parameters every claim statement shares: the worker id, the start time (us) and
     * the queue; returns the index of the next parameter.
     */
    private static int bindClaimer(PreparedStatement ps, String workerId, long nowUs, String queue)
        throws SQLException {
      ps.setString(1, workerId);
      ps.setLong(2, nowUs);
      ps.setString(3, queue);
      return 4;
    }

    /**
     * In the claim's transaction, before the running jobs of a limited queue are counted (PostgreSQL
     * takes a lock there, so that two claims cannot both fill the last slot). Default: nothing.
     */
    default void beforeCount(C c, String queue) throws SQLException {}

    /**
     * If the store knows that {@code queue} has no keyed ready jobs: the statement that claims up to
     * the given number of its ready jobs without a flow key (its flow keys are then not looked for).
     * Default: null, the keys are looked for.
     */
    default @Nullable String takePlain(String queue) {
      return null;
    }

    /** The keys of {@code queue} were looked for and it has no keyed ready jobs. Default: nothing. */
    default void noKeyedJobs(String queue) {}

    /**
     * How this store reads its {@code trace_context} column (a store may keep it in a form of its
     * own). Default: as text.
     */
    default SqlJobRows.TraceContextReader traceContexts() {
      return ResultSet::getString;
    }
  }

  /**
   * What a claim reads first ({@link Store#promote}).
   *
   * @param limits each queue's running limit, or -1 if it is paused (queues absent have neither)
   * @param promoted how many delayed jobs became ready
   * @param nextDue when the next delayed job is due, if the store read it with the rules
   */
  public record Rules(Map<String, Integer> limits, int promoted, @Nullable Instant nextDue) {}

  private static final String PROMOTE = "UPDATE spindle_jobs SET " + SqlJobRows.moveTo(
      dev.spindle.queue.JobState.SCHEDULED, dev.spindle.queue.JobState.QUEUED) + " WHERE state = " + SqlJobRows.SCHEDULED
      + " AND run_at <= ?";
  private static final String RULES = "SELECT name, max_running FROM spindle_queues UNION ALL SELECT queue, -1 FROM"
      + " spindle_paused";
  private static final String NEXT_DUE = "SELECT run_at FROM spindle_jobs WHERE state = " + SqlJobRows.SCHEDULED
      + " ORDER BY run_at LIMIT 1";

  private static final String ANY_DUE = "SELECT 1 FROM spindle_jobs WHERE state = " + SqlJobRows.SCHEDULED
      + " AND run_at <= ? LIMIT 1";

  /** Whether a delayed job is due at {@code nowUs}, by a plain (non-locking) read. */
  private static boolean anyDue(JdbcConn c, long nowUs) throws SQLException {
    PreparedStatement ps = c.ps(ANY_DUE);
    ps.setLong(1, nowUs);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  /** Makes every delayed job due at {@code nowUs} ready; how many. */
  private static int promoteDue(JdbcConn c, long nowUs) throws SQLException {
    PreparedStatement promote = c.ps(PROMOTE);
    promote.setLong(1, nowUs);
    return promote.executeUpdate();
  }

  /** Takes in the job just claimed at the current row of a claim's result set. */
  @FunctionalInterface
  public interface ClaimedRows {
    /** Reads the current row, counts its wait, and returns the job. */
    JobInfo claimed(ResultSet rs) throws SQLException;
  }

  /**
   * The jobs one claim took.
   *
   * @param jobs the claimed jobs, queue by queue in the requested order, each queue's in claim order
   * @param remaining how many more the request allowed
   * @param flowNextUs the earliest time a flow rule that held a key lifts (us), or {@link Long#MAX_VALUE}
   */
  public record Taken(List<JobInfo> jobs, int remaining, long flowNextUs) {
    /** When to look again: {@code due}, or earlier if a flow rule that held a key lifts before it. */
    public @Nullable Instant next(@Nullable Instant due) {
      if (flowNextUs != Long.MAX_VALUE && (due == null || SqlJobRows.micros(due) > flowNextUs)) {
        return SqlJobRows.instant(flowNextUs);
      }
      return due;
    }
  }

  private final SqlFlow<C> flow;
  private final SqlPolicies policies;
  private final Store<C> store;

  /**
   * The claims of a store with these flow rules, job policies and statements. A claim writes no
   * ledger entry: the claimed job's row keeps its attempt ({@link SqlAttempts}).
   */
  public SqlClaims(SqlFlow<C> flow, SqlPolicies policies, Store<C> store) {
    this.flow = flow;
    this.policies = policies;
    this.store = store;
  }

  /** The store's statements. */
  public Store<C> store() {
    return store;
  }

  /**
   * A whole claim for {@code req} in the caller's transaction, on the store's clock: due jobs
   * promoted, the queues taken from, an attempt opened per job (one batch), the statistics added
   * through {@code counters}.
   */
  public ClaimResult claim(C c, ClaimRequest req, Instant at, SqlJobEnds.Numbering<C> counters)
      throws SQLException {
    Rules rules = store.promote(c, SqlJobRows.micros(at));
    if (rules.promoted() > 0) {
      flow.readied();
      store.readied(); // delayed jobs keep their ids: they may be ready before a store's position
    }
    Map<Integer, Long> stats = new HashMap<>();
    Taken taken = take(c, req, rules.limits(), at, stats);
    counters.addStats(c, at, stats);
    Instant next = taken.remaining() > 0 ? store.nextDue(c, rules, at) : null;
    return new ClaimResult(taken.jobs(), taken.next(next));
  }

  /**
   * Claims for {@code req} at {@code at}, in the caller's transaction.
   *
   * @param limits each queue's running limit, or -1 if it is paused (queues absent have neither)
   * @param stats counters of this minute ({@link MinuteStats}): the claimed jobs' wait times and,
   *     if any were claimed, their number are added
   */
  public Taken take(C c, ClaimRequest req, Map<String, Integer> limits, Instant at, Map<Integer, Long> stats)
      throws SQLException {
    long now = SqlJobRows.micros(at);
    Set<String> tasks = req.tasks();
    if (tasks != null && tasks.isEmpty()) {
      return new Taken(List.of(), req.max(), Long.MAX_VALUE); // a worker that knows no task
    }
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
        store.beforeCount(c, q);
        available = Math.min(available, limit - runningIn(c, q));
        if (available <= 0) {
          continue;
        }
      }
      List<JobInfo> part = new ArrayList<>();
      // a filtered claim always looks for keys: its statements have no key-less variant
      String plain = tasks == null ? store.takePlain(q) : null;
      int keyed = plain != null ? -1 : SqlFlow.claimKeyed(c, flow, q, available, now,
          key -> store.takeKeyed(c, tasks == null ? store.takeOne(key) : store.takeOneOf(key), req.workerId(), now, q,
              key, tasks, rs -> claimed(c, rs, req, at, part, stats)), flowNext);
      if (keyed < 0 && plain == null) {
        store.noKeyedJobs(q);
      }
      if (keyed < 0) {
        String sql = plain != null ? plain : tasks == null ? store.takeMany() : store.takeManyOf();
        store.takeReady(c, sql, req.workerId(), now, q, tasks, available, rs -> claimed(c, rs, req, at, part, stats));
      }
      part.sort(Comparator.comparingInt(JobInfo::priority).reversed()
          .thenComparingLong(j -> Long.parseLong(j.id())));
      claimed.addAll(part);
      remaining -= part.size();
    }
    if (!claimed.isEmpty()) {
      stats.merge(MinuteStats.STARTED, (long) claimed.size(), Long::sum);
    }
    return new Taken(claimed, remaining, flowNext[0]);
  }

  /** The job just claimed at the current row of {@code rs}, added to {@code part}, its wait counted. */
  private JobInfo claimed(C c, ResultSet rs, ClaimRequest req, Instant at, List<JobInfo> part,
      Map<Integer, Long> stats) throws SQLException {
    JobInfo j = SqlJobRows.readClaimed(rs, req.workerId(), req.now(), id -> policies.get(c, id),
        store.traceContexts());
    part.add(j);
    stats.merge(MinuteStats.WAIT_BASE + MinuteStats.bucket(Duration.between(j.runAt(), at)), 1L, Long::sum);
    return j;
  }

  /** How many jobs of {@code queue} are running. */
  private static int runningIn(JdbcConn c, String queue) throws SQLException {
    PreparedStatement ps = c.ps("SELECT count(*) FROM spindle_jobs WHERE state = " + SqlJobRows.RUNNING
        + " AND queue = ?");
    ps.setString(1, queue);
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
