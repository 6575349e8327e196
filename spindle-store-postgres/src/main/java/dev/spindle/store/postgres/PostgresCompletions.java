package dev.spindle.store.postgres;

import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.Completion;
import dev.spindle.store.jdbc.internal.SqlCompletions;
import dev.spindle.store.jdbc.internal.SqlCompletions.Applied;
import dev.spindle.store.jdbc.internal.SqlCompletions.Planned;
import dev.spindle.store.jdbc.internal.SqlDependencies;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.FinishHorizon;
import dev.spindle.store.postgres.internal.JobRows;
import dev.spindle.store.postgres.internal.Schema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The completion path of {@link PostgresJobStore}: a call's completions grouped by outcome, each
 * group applied by one fenced statement over the group's column arrays (finishing ones also take their
 * finish numbers from a sequence in the same statement, see {@link FinishHorizon}), then the finished jobs' dependents. Thread-safe.
 */
final class PostgresCompletions implements SqlCompletions.Writes<Db.Conn> {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresJobStore.class);
  // The SET clauses of set-based moves, checked against JobState's table when the class loads.
  private static final String RUNNING_TO_SUCCEEDED = JobRows.moveTo(JobState.RUNNING, JobState.SUCCEEDED);
  private static final String RUNNING_TO_CANCELLED = JobRows.moveTo(JobState.RUNNING, JobState.CANCELLED);
  private static final String RUNNING_TO_QUEUED = JobRows.moveTo(JobState.RUNNING, JobState.QUEUED);

  /** Told when finished jobs' dependents may have become ready (their ids are old). */
  private final ClaimPositions positions;

  /**
   * @param direct the history's partitions when successes move to the history in their completing
   *     statement (archiveAfter 0), else null
   */
  PostgresCompletions(FinishHorizon horizon, @Nullable HistoryPartitions direct, ClaimPositions positions) {
    this.positions = positions;
    this.direct = direct;
    String lock = horizon.lockCall();
    this.movedSql = moving(lock);
    this.succeededSql = finishing(lock, RUNNING_TO_SUCCEEDED + ", result = " + item("result") + ","
        + " finished_at = ?, expires_at = ? + (SELECT result_ttl_us FROM spindle_policies p"
        + " WHERE p.id = j.policy_id), cancel_requested = 0", "result text", "");
    this.failedSql = finishing(lock, "state = " + item("to_state") + ", failures = j.failures + " + item("inc") + ","
        + " error = " + item("error") + ", dead_reason = " + item("reason") + ", finished_at = ?, expires_at = ? +"
        + " (SELECT failure_ttl_us FROM spindle_policies p WHERE p.id = j.policy_id), cancel_requested = 0",
        "to_state smallint, inc int, error text, reason text", "");
    this.cancelledSql = finishing(lock, RUNNING_TO_CANCELLED + ", error = coalesce(" + item("error") + ","
        + " j.error), finished_at = ?, expires_at = ? + (SELECT result_ttl_us FROM"
        + " spindle_policies p WHERE p.id = j.policy_id), cancel_requested = 0", "error text, min_req int",
        " AND j.cancel_requested >= " + item("min_req"));
  }

  /**
   * A batch's columns as one row of arrays, {@code b}: ids, fences and workers, then {@code columns}
   * ("name type, ..."), each bound as one array parameter. The statement finds its rows with
   * {@link #HELD}, a lookup of the ids in the primary key, and reads a row's own values with
   * {@link #item}. Joined to the same arrays unnested, as before, the plan followed the statistics:
   * a queue table is often analyzed or vacuumed while empty, and a plan made then read the whole
   * primary key or {@code spindle_jobs_running} index at each call (13-29 ms instead of 1-3,
   * measured with {@code auto_explain}), or, planned once, rescanned the unnested arrays for every
   * row (about 110 x 110 rows a call, 12 ms). A lookup by ids in an array is the one plan whatever
   * the statistics say; the completion transaction runs it as a generic plan, planned once per
   * connection instead of at every call.
   */
  private static String batch(String columns) {
    StringBuilder sql = new StringBuilder("(SELECT ?::bigint[] AS id, ?::bigint[] AS fence, ?::text[] AS worker");
    if (!columns.isEmpty()) {
      for (String column : columns.split(", ")) {
        String[] nameType = column.split(" ");
        sql.append(", ?::").append(nameType[1]).append("[] AS ").append(nameType[0]);
      }
    }
    return sql.append(") AS b").toString();
  }

  /** The value of {@code column} in {@link #batch} for the row {@code j}. */
  private static String item(String column) {
    return "b." + column + "[array_position(b.id, j.id)]";
  }

  /**
   * The row {@code j} is one of the batch's, still held as named: RUNNING, with the batch's fence
   * and worker. The state is compared as {@code state + 0} so that the planner cannot choose the
   * partial index {@code spindle_jobs_running}: with statistics that count no running job that
   * index looks free to read whole, and it holds the dead entries of every job run since the last
   * vacuum.
   */
  private static final String HELD = "j.id = ANY(b.id) AND j.fence = " + item("fence") + " AND j.worker_id = "
      + item("worker") + " AND j.state + 0 = " + JobRows.RUNNING;

  /** The SQL that applies one outcome to many jobs: an UPDATE of the batch's rows ({@link #batch}). */
  private static String batched(String set, String columns, String extra) {
    return "UPDATE spindle_jobs j SET " + set + " FROM " + batch(columns) + " WHERE " + HELD + extra
        + " RETURNING j.id";
  }

  /**
   * The SQL that finishes many jobs: the rows still held as named get finish numbers from the
   * sequence {@code spindle_finish_seq} (a completion that is fenced off takes none), after the
   * statement took the finishing lock in shared mode ({@link FinishHorizon}: readers of the feed do
   * not move past numbers of transactions still holding it). No row is shared between completions.
   */
  private static String finishing(String lockCall, String set, String columns, String extra) {
    // the one parameter before the arrays: the store's now, read by the SET clause from m; m's row
    // (and so the lock) exists before the join yields a row, so before any nextval
    return "WITH m AS MATERIALIZED (SELECT " + lockCall + " AS locked, ?::bigint AS at),"
        + " upd AS (UPDATE spindle_jobs j SET " + set.replace("?", "m.at")
        + ", finish_seq = nextval('spindle_finish_seq')"
        + " FROM m, " + batch(columns) + " WHERE " + HELD + extra + " RETURNING j.id, j.expires_at)"
        + " SELECT id, (SELECT EXISTS (SELECT 1 FROM spindle_deps)), expires_at FROM upd";
  }

  /**
   * The largest stored arguments (bytes, as {@code pg_column_size}) of a success that moves in its
   * completing statement: larger ones are out of line (TOAST), and the history's copy would write
   * them again while finishing in place keeps them where they are; on a full disk that second copy
   * stopped the completions. Those jobs move with the archive, as before.
   */
  static final int MOVED_ARGS_MAX = 2000;

  /**
   * The SQL that finishes successes by moving them to the history in one statement: the rows still
   * held as named, with a result retention above 0 that ends in a day partition known to exist
   * ({@link HistoryPartitions}: the last parameter, an array of days) or never, arguments stored in
   * the row ({@link #MOVED_ARGS_MAX}), and no part in a workflow, are deleted from the hot table and
   * inserted into the history as SUCCEEDED with their finish numbers. A finished row version in
   * the hot table wrote six index entries, and the archive later deleted it and wrote the history's;
   * now the hot table gets no finished version, and its vacuum a third fewer dead rows. Successes
   * whose policy keeps none ({@code resultTtl} 0) and that are not part of a workflow are deleted
   * here with no history row and no finish number, as db-scheduler deletes a finished execution.
   * The others are left to {@link #succeededSql}.
   */
  static String moving(String lockCall) {
    String expires = "(m.at + p.result_ttl_us)";
    return "WITH m AS MATERIALIZED (SELECT " + lockCall + " AS locked, ?::bigint AS at),"
        + " moved AS (DELETE FROM spindle_jobs j USING m, " + batch("result text") + ", spindle_policies p"
        + " WHERE " + HELD + " AND p.id = j.policy_id AND (p.result_ttl_us = 0 OR (p.result_ttl_us > 0 AND (" + expires + " >= "
        + Schema.FOREVER_US + " OR (" + expires + " / " + Schema.PARTITION_US + " = ANY(?::bigint[]) AND " + expires
        + " % " + Schema.PARTITION_US + " < " + (Schema.PARTITION_US - HistoryPartitions.MARGIN_US) + "))"
        + " AND pg_column_size(j.args) <= " + MOVED_ARGS_MAX + "))"
        + " AND NOT EXISTS (SELECT 1 FROM spindle_deps d WHERE d.parent = j.id)"
        + " AND NOT EXISTS (SELECT 1 FROM spindle_deps d WHERE d.child = j.id)"
        + " RETURNING j.*, " + item("result") + " AS new_result, m.at AS at, " + expires + " AS new_expires,"
        + " p.result_ttl_us AS kept_us),"
        + " ins AS (INSERT INTO spindle_history (id, task, queue, state, priority, args, result, error, dead_reason,"
        + " unique_key, attempt, failures, lost, fence, worker_id, cancel_requested, created_at, run_at, started_at,"
        + " finished_at, expires_at, finish_seq, policy_id, trace_context, flow_key)"
        + " SELECT id, task, queue, " + JobRows.code(JobState.SUCCEEDED) + ", priority, args, new_result, error,"
        + " dead_reason, unique_key, attempt, failures, lost, fence, worker_id, 0, created_at, run_at, started_at,"
        + " at, new_expires, nextval('spindle_finish_seq'), policy_id, trace_context, flow_key FROM moved"
        + " WHERE kept_us > 0 ORDER BY id)"
        // the insert runs to completion unread (as every data-modifying WITH does); a deleted job is done
        + " SELECT id, (SELECT EXISTS (SELECT 1 FROM spindle_deps)) FROM moved";
  }

  private final @Nullable HistoryPartitions direct;
  /** Days of successes that stayed in the hot table while moving was on for want of their partition. */
  private final Set<Long> missingDays = new ConcurrentSkipListSet<>();
  private final String movedSql;
  private final String succeededSql;
  private final String failedSql;
  private final String cancelledSql;
  private static final String RETRY_SQL = batched("state = " + item("to_state") + ", failures = j.failures + 1,"
      + " error = " + item("error") + ", run_at = " + item("run_at") + ", cancel_requested = 0",
      "to_state smallint, error text, run_at bigint", "");
  private static final String RELEASED_SQL = batched(RUNNING_TO_QUEUED + ", attempt = greatest(j.attempt - 1, 0),"
      + " run_at = ?, cancel_requested = 0", "", " AND j.cancel_requested = 0");

  /** Column arrays of one outcome's batch. */
  private static final class Group {
    final List<Long> ids = new ArrayList<>();
    final List<Long> fences = new ArrayList<>();
    final List<String> workers = new ArrayList<>();
    final List<Object> a = new ArrayList<>();
    final List<Object> b = new ArrayList<>();
    final List<Object> c = new ArrayList<>();
    final List<Object> d = new ArrayList<>();

    void add(Completion k, long id) {
      ids.add(id);
      fences.add(k.fence());
      workers.add(k.workerId());
    }

    /** Binds ids, fences, workers from {@code from}, then the extra columns. */
    void bind(Connection jdbc, PreparedStatement ps, int from, String... types) throws SQLException {
      ps.setArray(from, jdbc.createArrayOf("int8", ids.toArray()));
      ps.setArray(from + 1, jdbc.createArrayOf("int8", fences.toArray()));
      ps.setArray(from + 2, jdbc.createArrayOf("text", workers.toArray()));
      List<List<Object>> extra = List.of(a, b, c, d);
      for (int i = 0; i < types.length; i++) {
        ps.setArray(from + 3 + i, jdbc.createArrayOf(types[i], extra.get(i).toArray()));
      }
    }

    /**
     * Runs {@code ps} (bound) and collects the ids it changed; a finishing statement's second
     * column says whether any job has dependencies ({@code anyDeps[0]} is then set).
     */
    static Set<Long> run(PreparedStatement ps, boolean[] anyDeps) throws SQLException {
      return run(ps, anyDeps, null);
    }

    /** As {@link #run(PreparedStatement, boolean[])}, adding a finishing statement's expiries to {@code expiries}. */
    static Set<Long> run(PreparedStatement ps, boolean[] anyDeps, @Nullable List<Long> expiries) throws SQLException {
      Set<Long> out = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          out.add(rs.getLong(1));
          if (columns > 1 && rs.getBoolean(2)) {
            anyDeps[0] = true;
          }
          if (columns > 2 && expiries != null) {
            expiries.add(rs.getLong(3));
          }
        }
      }
      return out;
    }
  }

  /** Applies planned completions of distinct jobs; per completion, how it turned out. */
  private Applied[] applyRound(Db.Conn c, List<Planned> planned, long now, boolean[] anyDeps, Set<Long> appliedInCall,
      boolean move) throws SQLException {
    int n = planned.size();
    Group[] groups = new Group[5];
    for (int g = 0; g < 5; g++) {
      groups[g] = new Group();
    }
    int[] groupOf = new int[n];
    for (int i = 0; i < n; i++) {
      Planned p = planned.get(i);
      Completion k = p.completion();
      long id = p.id();
      int g = p.group().ordinal();
      groupOf[i] = g;
      groups[g].add(k, id);
      switch (p.group()) {
        case SUCCEEDED -> groups[0].a.add(k.resultJson());
        case RETRY -> {
          groups[1].a.add((short) JobRows.code(p.to()));
          groups[1].b.add(k.errorJson());
          groups[1].c.add(p.runAtUs());
        }
        case FAILED -> {
          groups[2].a.add((short) JobRows.code(p.to()));
          groups[2].b.add(p.failureIncrement());
          groups[2].c.add(k.errorJson());
          groups[2].d.add(p.deadReason());
        }
        case CANCELLED -> {
          // a released job whose cancel was requested is cancelled instead of running again
          groups[3].a.add(k.errorJson());
          groups[3].b.add(p.release() ? 1 : 0);
          if (p.release()) {
            groups[4].add(k, id);
          }
        }
      }
    }
    Connection jdbc = c.jdbc();
    Set<Long> repeated = Set.of();
    List<Set<Long>> done = new ArrayList<>();
    for (int g = 0; g < 5; g++) {
      done.add(Set.of());
    }
    if (!groups[0].ids.isEmpty()) {
      Set<Long> moved = Set.of();
      HistoryPartitions history = move ? direct : null;
      if (history != null) {
        PreparedStatement ps = c.ps(movedSql);
        ps.setLong(1, now);
        groups[0].bind(jdbc, ps, 2, "text");
        ps.setArray(6, jdbc.createArrayOf("int8", Arrays.stream(history.known()).boxed().toArray()));
        moved = Group.run(ps, anyDeps);
      }
      Set<Long> succeeded = moved;
      if (moved.size() < groups[0].ids.size()) {
        PreparedStatement ps = c.ps(succeededSql);
        ps.setLong(1, now);
        groups[0].bind(jdbc, ps, 2, "text");
        List<Long> expiries = new ArrayList<>();
        Set<Long> updated = Group.run(ps, anyDeps, expiries);
        if (!updated.isEmpty()) {
          if (history != null) {
            missingDays.addAll(HistoryPartitions.missing(history.known(), expiries));
          }
          succeeded = new HashSet<>(moved);
          succeeded.addAll(updated);
        }
      }
      done.set(0, succeeded);
      if (succeeded.size() < groups[0].ids.size()) {
        repeated = alreadySucceeded(c, groups[0]);
      }
    }
    if (!groups[1].ids.isEmpty()) {
      PreparedStatement ps = c.ps(RETRY_SQL);
      groups[1].bind(jdbc, ps, 1, "int2", "text", "int8");
      done.set(1, Group.run(ps, anyDeps));
    }
    if (!groups[2].ids.isEmpty()) {
      PreparedStatement ps = c.ps(failedSql);
      ps.setLong(1, now);
      groups[2].bind(jdbc, ps, 2, "int2", "int4", "text", "text");
      done.set(2, Group.run(ps, anyDeps));
    }
    if (!groups[3].ids.isEmpty()) {
      PreparedStatement ps = c.ps(cancelledSql);
      ps.setLong(1, now);
      groups[3].bind(jdbc, ps, 2, "text", "int4");
      done.set(3, Group.run(ps, anyDeps));
    }
    if (!groups[4].ids.isEmpty()) {
      PreparedStatement ps = c.ps(RELEASED_SQL);
      ps.setLong(1, now);
      groups[4].bind(jdbc, ps, 2);
      done.set(4, Group.run(ps, anyDeps));
    }
    Applied[] out = new Applied[n];
    for (int i = 0; i < n; i++) {
      Planned p = planned.get(i);
      long id = p.id();
      int g = groupOf[i];
      boolean ok = done.get(g).contains(id);
      boolean releasedOk = p.release() && done.get(4).contains(id);
      // a retry of a success whose commit was cut off (counted when it first committed); not a second
      // completion of the same job within this call
      boolean again = g == 0 && !ok && repeated.contains(id) && !appliedInCall.contains(id);
      out[i] = ok ? Applied.MOVED : releasedOk || again ? Applied.OTHERWISE : Applied.NO;
    }
    return out;
  }

  /**
   * The jobs of a success batch that this very claim (same fence, same worker) already moved to
   * SUCCEEDED: a completion whose commit was cut off (connection lost during COMMIT) is retried by
   * the worker, and then finds its own earlier commit. Only SUCCEEDED is unambiguous (no other path
   * sets it), so only successes are recognized; read only when a batch was not fully applied.
   */
  private static Set<Long> alreadySucceeded(Db.Conn c, Group g) throws SQLException {
    PreparedStatement ps = c.ps("SELECT j.id FROM spindle_all_jobs j, " + batch("") + " WHERE j.id = ANY(b.id)"
        + " AND j.fence = " + item("fence") + " AND j.worker_id = " + item("worker") + " AND j.state = "
        + JobRows.SUCCEEDED);
    g.bind(c.jdbc(), ps, 1);
    Set<Long> out = new HashSet<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  /** True if successes move to the history in their completing statement. */
  boolean moves() {
    return direct != null;
  }

  /**
   * After a completion transaction committed: if successes stayed in the hot table while moving was
   * on because their expiry day had no partition, creates those days (outside any transaction), so
   * the next successes of their policies move. A failure is logged: the jobs
   * are stored, and the archive moves them later.
   */
  @Override
  public void afterCommit() {
    HistoryPartitions history = direct;
    if (history != null && !missingDays.isEmpty()) {
      List<Long> days = new ArrayList<>(missingDays);
      missingDays.removeAll(days);
      try {
        history.create(days);
      } catch (RuntimeException e) {
        LOG.warn("could not create the history's day partitions for finished jobs (they stay in the hot table"
            + " until retention archives them): {}", e.getMessage());
      }
    }
  }

  /**
   * The writes of one call, in its transaction: fenced, one statement per outcome (successes moved
   * to the history unless {@code again}, see {@link #runsAgain}, and if {@link #moves}).
   */
  @Override
  public SqlCompletions.Applier<Db.Conn> start(Db.Conn c, boolean again) throws SQLException {
    c.setLocal("plan_cache_mode", "force_generic_plan"); // see batch(): the one plan, planned once
    return new Call(!again);
  }

  /**
   * On a full disk the jobs finish in the hot table: the history's copy of a row needs room that
   * finishing it in place does not (large arguments are written again).
   */
  @Override
  public boolean runsAgain(StoreException e) {
    return e.reason() == StoreException.Reason.DISK_FULL && moves();
  }

  /** One call's writes: rounds of distinct jobs. */
  private final class Call implements SqlCompletions.Applier<Db.Conn> {
    private final boolean move;
    private final boolean[] anyDeps = new boolean[1]; // read by the finishing statements: no extra round trip

    Call(boolean move) {
      this.move = move;
    }

    /**
     * Rounds of distinct jobs: a job named twice in one call is completed by its first completion
     * that is fenced correctly, as if they came one after another.
     */
    @Override
    public Applied[] apply(Db.Conn c, List<Planned> planned, long now) throws SQLException {
      int n = planned.size();
      Map<Long, Integer> seen = new HashMap<>();
      List<List<Integer>> rounds = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int r = seen.merge(planned.get(i).id(), 1, Integer::sum) - 1;
        if (r == rounds.size()) {
          rounds.add(new ArrayList<>());
        }
        rounds.get(r).add(i);
      }
      Applied[] out = new Applied[n];
      Set<Long> appliedInCall = new HashSet<>(); // a job this call already completed: a second one is refused
      for (List<Integer> round : rounds) {
        List<Planned> part = new ArrayList<>(round.size());
        for (int i : round) {
          part.add(planned.get(i));
        }
        Applied[] ok = applyRound(c, part, now, anyDeps, appliedInCall, move);
        for (int k = 0; k < round.size(); k++) {
          out[round.get(k)] = ok[k];
          if (ok[k] != Applied.NO) {
            appliedInCall.add(part.get(k).id());
          }
        }
      }
      return out;
    }

    @Override
    public boolean anyDependencies(Db.Conn c, SqlDependencies<Db.Conn> deps) {
      return anyDeps[0];
    }

    @Override
    public void dependentsReleased() {
      positions.readied(); // finished jobs' dependents may have become ready (their ids are old)
    }
  }
}
