package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.DependencyEnd;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.store.Workflows;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Job dependencies (workflows) of a SQL store: {@code spindle_deps} holds one row per edge (with
 * the parent's end once known, so a released job's input survives the parent's purge) and {@code
 * spindle_waits} one row per dependent (pending count, failures, input mode, who cancelled it).
 * Every method runs inside the caller's write transaction, so a dependency's end and its effect on
 * the dependents commit together. Ends are handled iteratively. Thread-safe: the only state is the
 * current thread's round of ends.
 *
 * @param <C> the store's connection type
 */
public final class SqlDependencies<C extends JdbcConn> {
  /** What the dependency logic asks of the store, inside the same transaction. */
  @FunctionalInterface
  public interface Host<C> {
    /** Moves a WAITING job to CANCELLED with this error (as a finished job: feed, expiry). */
    void cancel(C c, long id, String errorJson, Instant now) throws SQLException;
  }

  private final JdbcDialect dialect;
  private final Host<C> host;
  /** The ends still to apply by the current thread's {@link #endedAll}, if one is running. */
  private final ThreadLocal<ArrayDeque<Long>> draining = new ThreadLocal<>();

  /** Dependencies in {@code dialect}; {@code host} cancels dependents. */
  public SqlDependencies(JdbcDialect dialect, Host<C> host) {
    this.dialect = dialect;
    this.host = host;
  }

  /** The stored code of a dependency policy. */
  public static int code(DependencyPolicy p) {
    return switch (p) {
      case REQUIRE_SUCCESS -> 0;
      case ALLOW_FAILURE -> 1;
      case ALWAYS -> 2;
      case ON_FAILURE -> 3;
    };
  }

  /** The policy of a stored code. */
  public static DependencyPolicy policy(int code) {
    return switch (code) {
      case 0 -> DependencyPolicy.REQUIRE_SUCCESS;
      case 1 -> DependencyPolicy.ALLOW_FAILURE;
      case 2 -> DependencyPolicy.ALWAYS;
      case 3 -> DependencyPolicy.ON_FAILURE;
      default -> throw new IllegalStateException("unknown dependency policy code " + code + " in the database");
    };
  }

  private static WorkflowInput input(int ordinal) {
    return WorkflowInput.values()[ordinal];
  }

  /**
   * Records the dependencies of job {@code id} (already inserted as WAITING) and says where it starts.
   * {@code known} holds the parents' states where the caller knows them without a read (jobs its
   * batch just created), else null entries. The edges are inserted as one batch.
   *
   * @return null if it may run now (its input is then {@link #inputOf}), WAITING, or CANCELLED (the
   *     error is then {@link #cancellation})
   * @throws IllegalArgumentException if a dependency does not exist (the transaction rolls back)
   */
  public @Nullable JobState add(C c, long id, long[] parents, @Nullable JobState[] known, List<DependencyPolicy> policies,
      WorkflowInput in) throws SQLException {
    PreparedStatement edge = c.ps("INSERT INTO spindle_deps (parent, child, policy, position, end_state,"
        + " end_result, end_error) VALUES (?, ?, ?, ?, ?, ?, ?)");
    edge.clearBatch(); // the statement is cached: nothing of a batch an earlier failure left
    List<JobState> states = new ArrayList<>(parents.length);
    for (int i = 0; i < parents.length; i++) {
      DependencyEnd end = known[i] != null ? new DependencyEnd(Long.toString(parents[i]), known[i], null, null)
          : endOf(c, parents[i], dialect.forShare());
      if (end == null) {
        throw new IllegalArgumentException("job " + id + " would depend on job " + parents[i] + ", which does not"
            + " exist; nothing was added");
      }
      states.add(end.state());
      boolean over = end.state().isTerminal();
      edge.setLong(1, parents[i]);
      edge.setLong(2, id);
      edge.setInt(3, code(policies.get(i)));
      edge.setInt(4, i);
      if (over) {
        edge.setInt(5, SqlJobRows.code(end.state()));
      } else {
        edge.setNull(5, java.sql.Types.INTEGER);
      }
      edge.setString(6, over ? end.resultJson() : null);
      edge.setString(7, over ? end.errorJson() : null);
      edge.addBatch();
    }
    edge.executeBatch();
    Workflows.Wait w = Workflows.evaluate(policies, states);
    PreparedStatement wait = c.ps("INSERT INTO spindle_waits (id, pending, failures, on_failure_only, input,"
        + " cancelled_by) VALUES (?, ?, ?, ?, ?, NULL)");
    boolean onFailureOnly = Workflows.fresh(policies).onFailureOnly();
    wait.setLong(1, id);
    wait.setInt(2, w == null ? 0 : w.pending());
    wait.setInt(3, w == null ? 0 : w.failures());
    wait.setInt(4, onFailureOnly ? 1 : 0);
    wait.setInt(5, in.ordinal());
    wait.executeUpdate();
    if (w == null || w.notNeeded()) {
      return JobState.CANCELLED;
    }
    return w.ready() ? null : JobState.WAITING;
  }

  /** Why a job {@link #add} said starts CANCELLED: the error JSON (and who cancelled it is recorded). */
  public String cancellation(C c, long id) throws SQLException {
    for (EdgeRow e : edgesInto(c, id)) {
      JobState s = stateOf(c, e.parent);
      JobState end = s == null ? JobState.CANCELLED : s;
      if (end.isTerminal() && e.policy.effectOf(end) == DependencyPolicy.Effect.CANCEL) {
        setCancelledBy(c, id, e.parent);
        return Workflows.dependencyError(Long.toString(id), Long.toString(e.parent), end);
      }
    }
    return Workflows.notNeededError(Long.toString(id));
  }

  /** The input of a released job, from its own arguments or its dependencies' recorded ends. */
  public String inputOf(C c, long id, String argsJson) throws SQLException {
    PreparedStatement ps = c.ps("SELECT input FROM spindle_waits WHERE id = ?");
    ps.setLong(1, id);
    WorkflowInput mode;
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return argsJson;
      }
      mode = input(rs.getInt(1));
    }
    if (mode == WorkflowInput.ARGS) {
      return argsJson;
    }
    PreparedStatement ends = c.ps("SELECT parent, end_state, end_result, end_error FROM spindle_deps"
        + " WHERE child = ? AND position >= 0 ORDER BY position");
    ends.setLong(1, id);
    List<DependencyEnd> out = new ArrayList<>();
    try (ResultSet rs = ends.executeQuery()) {
      while (rs.next()) {
        int st = rs.getInt(2);
        JobState s = rs.wasNull() ? JobState.WAITING : SqlJobRows.state(st);
        out.add(new DependencyEnd(Long.toString(rs.getLong(1)), s, rs.getString(3), rs.getString(4)));
      }
    }
    return Workflows.input(mode, argsJson, out);
  }

  /**
   * Settles a job with dependencies that the store just inserted as WAITING (row {@code id}, in the
   * caller's transaction): its edges are added; it stays WAITING, is cancelled at once (a parent's
   * end already rules it out), or becomes ready (QUEUED, or SCHEDULED if delayed) with its input.
   * Parents in the same batch are read from {@code batch}.
   */
  public EnqueueResult placeDependent(C c, long id, NewJob j, EnqueueResult[] batch, Instant now)
      throws SQLException {
    long[] parents = new long[j.dependsOn().size()];
    @Nullable JobState[] known = new JobState[parents.length];
    List<DependencyPolicy> policies = new ArrayList<>(parents.length);
    for (int k = 0; k < parents.length; k++) {
      Dependency d = j.dependsOn().get(k);
      if (d.inBatch()) {
        EnqueueResult r = batch[d.batchIndex()];
        parents[k] = Long.parseLong(r.jobId());
        // a job this batch created and did not end: its state is known without a read
        known[k] = r.created() && !r.state().isTerminal() ? r.state() : null;
      } else {
        parents[k] = Long.parseLong(d.on());
      }
      policies.add(d.policy());
    }
    @Nullable JobState start = add(c, id, parents, known, policies, j.input());
    if (start == JobState.WAITING) {
      return new EnqueueResult(Long.toString(id), true, JobState.WAITING);
    }
    if (start == JobState.CANCELLED) {
      host.cancel(c, id, cancellation(c, id), now);
      return new EnqueueResult(Long.toString(id), true, JobState.CANCELLED);
    }
    JobState ready = j.isDelayed() ? JobState.SCHEDULED : JobState.QUEUED;
    PreparedStatement up = c.ps("UPDATE spindle_jobs SET state = ?, args = ? WHERE id = ?");
    up.setInt(1, SqlJobRows.code(ready));
    up.setString(2, inputOf(c, id, j.argsJson()));
    up.setLong(3, id);
    up.executeUpdate();
    return new EnqueueResult(Long.toString(id), true, ready);
  }

  /**
   * {@link dev.spindle.queue.spi.JobStore#addChildren}, after the store checked the payloads: in one
   * transaction the parent, still RUNNING under {@code fence}, is locked and checked
   * ({@link Workflows#checkChildren}), the children are added by {@code inserter}, and the parent's
   * dependents adopt the {@code exits} ({@link #adopt}); then the policy rows it created are known
   * to {@code policies}. The caller tells its listeners.
   *
   * @throws JobNotFoundException if there is no job {@code parentId}
   */
  public List<EnqueueResult> addChildren(SqlDb<C> db, Clock clock, SqlPolicies policies, String parentId,
      long fence, List<NewJob> jobs, List<Integer> exits, SqlJobInserter<C> inserter) {
    long parent = SqlJobRows.idOrNeg(parentId);
    if (parent < 0) {
      throw new JobNotFoundException(parentId);
    }
    Workflows.checkBatch(jobs);
    Map<JobPolicy, Long> created = new HashMap<>();
    List<EnqueueResult> results = db.write("add " + jobs.size() + " child job(s) to job " + parentId, c -> {
      created.clear();
      long[] stateAndFence = stateAndFence(c, parentId, parent);
      Workflows.checkChildren(parentId, SqlJobRows.state((int) stateAndFence[0]), stateAndFence[1], fence, jobs, exits);
      List<EnqueueResult> out = inserter.insert(c, jobs, created);
      long[] exitIds = new long[exits.size()];
      for (int i = 0; i < exitIds.length; i++) {
        exitIds[i] = Long.parseLong(out.get(exits.get(i)).jobId());
      }
      adopt(c, parent, exitIds, clock.instant());
      return out;
    });
    policies.committed(created);
    return results;
  }

  /**
   * A would-be parent's state code and fence: from the hot table, row locked, or else from the
   * store's history ({@link SqlHistory}).
   *
   * @throws JobNotFoundException if the store has no such job
   */
  private long[] stateAndFence(C c, String parentId, long parent) throws SQLException {
    PreparedStatement ps = c.ps("SELECT state, fence FROM spindle_jobs WHERE id = ?" + dialect.forUpdate());
    ps.setLong(1, parent);
    try (ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        return new long[] {rs.getInt(1), rs.getLong(2)};
      }
    }
    long[] finished = SqlHistory.stateAndFence(c, dialect, parent);
    if (finished == null) {
      throw new JobNotFoundException(parentId);
    }
    return finished;
  }

  /**
   * The running job {@code parent} added children: every job still waiting for it also waits for
   * the {@code exits}, as dependencies that are not inputs ({@link DependencyEdge#ADDED}), with the
   * policy of its dependency on the parent. A dependent that one of them already cancels is cancelled.
   */
  public void adopt(C c, long parent, long[] exits, Instant now) throws SQLException {
    PreparedStatement waiting = c.ps("SELECT d.child, d.policy FROM spindle_deps d JOIN spindle_jobs j ON j.id ="
        + " d.child WHERE d.parent = ? AND d.end_state IS NULL AND j.state = " + SqlJobRows.WAITING
        + " AND d.policy <> " + SqlWaits.WAKE_EDGE);
    waiting.setLong(1, parent);
    List<long[]> dependents = new ArrayList<>();
    try (ResultSet rs = waiting.executeQuery()) {
      while (rs.next()) {
        dependents.add(new long[] {rs.getLong(1), rs.getInt(2)});
      }
    }
    PreparedStatement edge = c.ps("INSERT INTO spindle_deps (parent, child, policy, position) VALUES (?, ?, ?, "
        + DependencyEdge.ADDED + ")");
    for (long[] d : dependents) {
      for (long x : exits) {
        edge.setLong(1, x);
        edge.setLong(2, d[0]);
        edge.setInt(3, (int) d[1]);
        edge.executeUpdate();
      }
      if (reevaluate(c, d[0], edgesInto(c, d[0])) == null) {
        long by = cancelledBy(c, d[0]);
        host.cancel(c, d[0], Workflows.dependencyError(Long.toString(d[0]), Long.toString(by),
            stateOrCancelled(c, by)), now);
      }
    }
  }

  private JobState stateOrCancelled(JdbcConn c, long id) throws SQLException {
    JobState s = stateOf(c, id);
    return s == null ? JobState.CANCELLED : s;
  }

  /** True if any job has dependencies (one cheap read; lets a completion batch skip the lookups). */
  public boolean any(C c) throws SQLException {
    try (ResultSet rs = c.ps("SELECT EXISTS (SELECT 1 FROM spindle_deps)").executeQuery()) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  /** Job {@code id} may have ended: applies its end to its dependents (and theirs, in turn). */
  public void ended(C c, long id, Instant now) throws SQLException {
    endedAll(c, List.of(id), now);
  }

  /**
   * Jobs {@code ids} may have ended (a completion batch): applies their ends to their dependents,
   * and theirs in turn. The ends are applied round by round: every edge of a round's jobs is told
   * (one statement per job), then each dependent's wait counts down once by all of its edges told in
   * that round (one statement per dependent, not per edge: a chord's callback told by 200 children
   * of a batch is updated once). A dependent that some edge cancels is cancelled at once; one whose
   * wait is then complete is released (or cancelled if not needed). Jobs those moves end (cancelled
   * dependents) make the next round.
   */
  public void endedAll(C c, List<Long> ids, Instant now) throws SQLException {
    ArrayDeque<Long> current = draining.get();
    if (current != null) {
      current.addAll(ids); // a cancellation inside a round: its job joins the next round
      return;
    }
    ArrayDeque<Long> ended = new ArrayDeque<>(ids);
    draining.set(ended);
    try {
      while (!ended.isEmpty()) {
        List<Long> round = new ArrayList<>(ended);
        ended.clear();
        Map<Long, int[]> counts = new LinkedHashMap<>();
        tell(c, round, now, counts);
        for (Map.Entry<Long, int[]> e : counts.entrySet()) {
          long child = e.getKey();
          // the counters of a job that no longer waits (cancelled meanwhile) are recomputed if it is revived
          Workflows.Wait w = countDown(c, child, e.getValue()[0], e.getValue()[1]);
          if (w == null || !w.ready() || !isWaiting(c, child)) {
            continue;
          }
          if (w.notNeeded()) {
            host.cancel(c, child, Workflows.notNeededError(Long.toString(child)), now);
          } else {
            release(c, child, now);
          }
        }
      }
    } finally {
      draining.remove();
    }
  }

  /**
   * Tells the ends of the round's jobs that are terminal to every edge not yet told, in one
   * statement that copies each parent's end from its row (a completion batch updated those rows in
   * this transaction, so no end is read separately, and a batch whose jobs have no dependents costs
   * one index probe per job); then, in the round's order, cancels the dependents an edge cancels
   * and adds the others' count-downs (and failures) to {@code counts}.
   */
  private void tell(C c, List<Long> round, Instant now, Map<Long, int[]> counts) throws SQLException {
    Map<Long, Integer> order = new HashMap<>(round.size() * 2);
    long[] ids = new long[round.size()];
    for (long id : round) {
      if (order.putIfAbsent(id, order.size()) == null) {
        ids[order.size() - 1] = id;
      }
    }
    ids = Arrays.copyOf(ids, order.size());
    List<long[]> edges = dialect.returning() ? record(c, ids) : recordWithoutReturning(c, ids);
    // RETURNING's order is arbitrary: the round's order, then the child's, keeps outcomes repeatable
    edges.sort(Comparator.<long[]>comparingInt(e -> order.get(e[0])).thenComparingLong(e -> e[1]));
    for (long[] e : edges) {
      long parent = e[0];
      long child = e[1];
      if ((int) e[2] == SqlWaits.WAKE_EDGE) { // a job suspended on this end, not a dependency
        SqlWaits.wake(c, parent, child, now);
        continue;
      }
      JobState end = SqlJobRows.state((int) e[3]);
      DependencyPolicy policy = policy((int) e[2]);
      DependencyPolicy.Effect effect = policy.effectOf(end);
      if (effect == DependencyPolicy.Effect.CANCEL) {
        if (isWaiting(c, child)) {
          setCancelledBy(c, child, parent);
          host.cancel(c, child, Workflows.dependencyError(Long.toString(child), Long.toString(parent), end), now);
        }
        continue;
      }
      int[] n = counts.computeIfAbsent(child, k -> new int[2]);
      n[0]++;
      if (effect == DependencyPolicy.Effect.SATISFIED_BY_FAILURE && policy == DependencyPolicy.ON_FAILURE) {
        n[1]++;
      }
    }
  }

  /** Copies the ends of terminal jobs {@code ids} to their untold edges; the edges told (parent, child, policy, end). */
  private List<long[]> record(C c, long[] ids) throws SQLException {
    PreparedStatement record = c.ps("UPDATE spindle_deps AS d SET end_state = j.state, end_result = j.result,"
        + " end_error = j.error FROM " + dialect.allJobs() + " AS j WHERE d.parent IN (" + dialect.idsParameter() + ")"
        + " AND d.end_state IS NULL AND j.id = d.parent AND j.state >= " + SqlJobRows.SUCCEEDED
        + " RETURNING parent, child, policy, end_state"); // RETURNING takes no alias: the target's own columns
    dialect.bindIds(c, record, 1, ids);
    List<long[]> edges = new ArrayList<>();
    try (ResultSet rs = record.executeQuery()) {
      while (rs.next()) {
        edges.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getInt(4)});
      }
    }
    return edges;
  }

  /**
   * {@link #record} where UPDATE has neither FROM nor RETURNING (MariaDB): the untold edges of the
   * terminal parents are locked and read, then told, parent by parent.
   */
  private List<long[]> recordWithoutReturning(C c, long[] ids) throws SQLException {
    PreparedStatement find = c.ps("SELECT d.parent, d.child, d.policy, j.state FROM spindle_deps d JOIN "
        + dialect.allJobs() + " j ON j.id = d.parent WHERE d.parent IN (" + dialect.idsParameter() + ")"
        + " AND d.end_state IS NULL AND j.state >= " + SqlJobRows.SUCCEEDED + dialect.forUpdate());
    dialect.bindIds(c, find, 1, ids);
    List<long[]> edges = new ArrayList<>();
    java.util.Set<Long> parents = new java.util.LinkedHashSet<>();
    try (ResultSet rs = find.executeQuery()) {
      while (rs.next()) {
        edges.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getInt(4)});
        parents.add(rs.getLong(1));
      }
    }
    PreparedStatement tell = c.ps("UPDATE spindle_deps SET end_state = (SELECT j.state FROM " + dialect.allJobs()
        + " j WHERE j.id = ?), end_result = (SELECT j.result FROM " + dialect.allJobs() + " j WHERE j.id = ?),"
        + " end_error = (SELECT j.error FROM " + dialect.allJobs() + " j WHERE j.id = ?) WHERE parent = ?"
        + " AND end_state IS NULL");
    for (long p : parents) {
      for (int i = 1; i <= 4; i++) {
        tell.setLong(i, p);
      }
      tell.executeUpdate();
    }
    return edges;
  }

  /** {@code told} dependencies of {@code child} ended acceptably: its wait counts down (failures up). */
  private Workflows.@Nullable Wait countDown(JdbcConn c, long child, int told, int failures) throws SQLException {
    PreparedStatement ps = c.ps("UPDATE spindle_waits SET pending = pending - ?, failures = failures + ?"
        + " WHERE id = ?" + (dialect.returning() ? " RETURNING pending, failures, on_failure_only" : ""));
    ps.setInt(1, told);
    ps.setInt(2, failures);
    ps.setLong(3, child);
    if (!dialect.returning()) {
      ps.executeUpdate();
      ps = c.ps("SELECT pending, failures, on_failure_only FROM spindle_waits WHERE id = ?");
      ps.setLong(1, child);
    }
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? new Workflows.Wait(rs.getInt(1), rs.getInt(2), rs.getInt(3) == 1) : null;
    }
  }

  private static boolean isWaiting(JdbcConn c, long id) throws SQLException {
    PreparedStatement ps = c.ps("SELECT state FROM spindle_jobs WHERE id = ?");
    ps.setLong(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() && rs.getInt(1) == SqlJobRows.WAITING;
    }
  }

  /** WAITING to QUEUED (or SCHEDULED if its run time is ahead), its input written. */
  private void release(C c, long id, Instant now) throws SQLException {
    PreparedStatement args = c.ps("SELECT args FROM spindle_jobs WHERE id = ?");
    args.setLong(1, id);
    String own;
    try (ResultSet rs = args.executeQuery()) {
      rs.next();
      own = rs.getString(1);
    }
    PreparedStatement up = c.ps("UPDATE spindle_jobs SET args = ?, state = CASE WHEN run_at > ? THEN "
        + SqlJobRows.SCHEDULED + " ELSE " + SqlJobRows.QUEUED + " END WHERE id = ? AND state = " + SqlJobRows.WAITING);
    up.setString(1, inputOf(c, id, own));
    up.setLong(2, SqlJobRows.micros(now));
    up.setLong(3, id);
    up.executeUpdate();
  }

  /**
   * An operator retries job {@code id}: where it goes (WAITING, QUEUED, or CANCELLED if a dependency
   * still cancels it; {@link #cancelledBy} then names it). Null if it has no dependencies.
   */
  public @Nullable JobState retry(C c, long id) throws SQLException {
    List<EdgeRow> in = edgesInto(c, id);
    if (in.isEmpty()) {
      return null;
    }
    Workflows.Wait w = reevaluate(c, id, in);
    if (w == null) {
      return JobState.CANCELLED;
    }
    return w.ready() ? JobState.QUEUED : JobState.WAITING;
  }

  /**
   * Job {@code id} was requeued: the dependents it cancelled wait for it again (and theirs, in
   * turn), unless another dependency still cancels them.
   */
  public List<Long> requeued(C c, long id) throws SQLException {
    List<Long> revived = new ArrayList<>();
    ArrayDeque<Long> todo = new ArrayDeque<>();
    todo.add(id);
    PreparedStatement victims = c.ps("SELECT w.id FROM spindle_waits w JOIN spindle_jobs j ON j.id = w.id"
        + " WHERE w.cancelled_by = ? AND j.state = " + SqlJobRows.CANCELLED);
    PreparedStatement revive = c.ps("UPDATE spindle_jobs SET state = " + SqlJobRows.WAITING + ", error = NULL,"
        + " finished_at = NULL, expires_at = NULL, finish_seq = 0 WHERE id = ? AND state = " + SqlJobRows.CANCELLED);
    for (Long p; (p = todo.poll()) != null; ) {
      victims.setLong(1, p);
      List<Long> ids = new ArrayList<>();
      try (ResultSet rs = victims.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
      for (long child : ids) {
        if (reevaluate(c, child, edgesInto(c, child)) != null) {
          JobState.checkTransition(Long.toString(child), JobState.CANCELLED, JobState.WAITING);
          revive.setLong(1, child);
          revive.executeUpdate();
          todo.add(child);
          revived.add(child);
        }
      }
    }
    return revived;
  }

  /**
   * True if job {@code id} has arguments of its own (no dependencies, or an input mode that passes
   * its arguments), false if its dependencies' results build its input.
   */
  public boolean ownArgs(C c, long id) throws SQLException {
    PreparedStatement ps = c.ps("SELECT input FROM spindle_waits WHERE id = ?");
    ps.setLong(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      return !rs.next() || input(rs.getInt(1)) == WorkflowInput.ARGS;
    }
  }

  /**
   * Recomputes a dependent's wait from its parents' current states, recording their ends on the
   * edges again; a deleted parent counts by the end its edge was told (kept, as the dependent's
   * input), or as CANCELLED if it was never told one. Null if a parent cancels it.
   */
  private Workflows.@Nullable Wait reevaluate(C c, long id, List<EdgeRow> in) throws SQLException {
    List<DependencyPolicy> policies = new ArrayList<>(in.size());
    List<@Nullable JobState> states = new ArrayList<>(in.size());
    PreparedStatement record = c.ps("UPDATE spindle_deps SET end_state = ?, end_result = ?, end_error = ?"
        + " WHERE parent = ? AND child = ?");
    for (EdgeRow e : in) {
      policies.add(e.policy);
      DependencyEnd end = endOf(c, e.parent);
      if (end == null) {
        states.add(toldEnd(c, e.parent, id));
        continue;
      }
      JobState s = end.state();
      states.add(s);
      DependencyEnd ended = s.isTerminal() ? end : null;
      if (ended != null) {
        record.setInt(1, SqlJobRows.code(ended.state()));
      } else {
        record.setNull(1, java.sql.Types.INTEGER);
      }
      record.setString(2, ended != null ? ended.resultJson() : null);
      record.setString(3, ended != null ? ended.errorJson() : null);
      record.setLong(4, e.parent);
      record.setLong(5, id);
      record.executeUpdate();
    }
    Workflows.Wait w = Workflows.evaluate(policies, states);
    if (w == null) {
      for (int i = 0; i < in.size(); i++) {
        JobState s = states.get(i) == null ? JobState.CANCELLED : states.get(i);
        if (s.isTerminal() && policies.get(i).effectOf(s) == DependencyPolicy.Effect.CANCEL) {
          setCancelledBy(c, id, in.get(i).parent);
          break;
        }
      }
      return null;
    }
    saveWait(c, id, w);
    setCancelledBy(c, id, null);
    return w;
  }

  /** The end the edge from {@code parent} to {@code child} was told, or null if none. */
  private static @Nullable JobState toldEnd(JdbcConn c, long parent, long child) throws SQLException {
    PreparedStatement ps = c.ps("SELECT end_state FROM spindle_deps WHERE parent = ? AND child = ?");
    ps.setLong(1, parent);
    ps.setLong(2, child);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      int st = rs.getInt(1);
      return rs.wasNull() ? null : SqlJobRows.state(st);
    }
  }

  /** The job that cancelled a dependency-cancelled job, or 0. */
  public long cancelledBy(C c, long id) throws SQLException {
    PreparedStatement ps = c.ps("SELECT cancelled_by FROM spindle_waits WHERE id = ?");
    ps.setLong(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Every edge into and out of {@code id}: its dependencies in input order, then its dependents. */
  public List<DependencyEdge> edgesOf(C c, long id) throws SQLException {
    List<DependencyEdge> out = new ArrayList<>();
    for (EdgeRow e : edgesInto(c, id)) {
      out.add(new DependencyEdge(Long.toString(e.parent), Long.toString(id), e.policy, e.position));
    }
    PreparedStatement ps = c.ps("SELECT child, policy, position FROM spindle_deps WHERE parent = ?" + SqlWaits.NOT_WAKE
        + " ORDER BY child");
    ps.setLong(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new DependencyEdge(Long.toString(id), Long.toString(rs.getLong(1)), policy(rs.getInt(2)),
            rs.getInt(3)));
      }
    }
    return out;
  }

  private record EdgeRow(long parent, DependencyPolicy policy, int position) {}

  private static List<EdgeRow> edgesInto(JdbcConn c, long id) throws SQLException {
    PreparedStatement ps = c.ps("SELECT parent, policy, position FROM spindle_deps WHERE child = ?"
        + SqlWaits.NOT_WAKE + " ORDER BY position < 0, position");
    ps.setLong(1, id);
    List<EdgeRow> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new EdgeRow(rs.getLong(1), policy(rs.getInt(2)), rs.getInt(3)));
      }
    }
    return out;
  }

  private @Nullable DependencyEnd endOf(JdbcConn c, long id) throws SQLException {
    return endOf(c, id, "");
  }

  /**
   * The end of job {@code id}; {@code lock} is {@link JdbcDialect#forShare} where a new dependent
   * reads it (a completion of that job in another transaction then waits for this one, and sees
   * the new edge; or this one waits for the completion and sees its end). A job moved to a history
   * table has ended for good: it is read there without a lock.
   */
  private @Nullable DependencyEnd endOf(JdbcConn c, long id, String lock) throws SQLException {
    DependencyEnd end = endIn(c, "spindle_jobs", id, lock);
    String all = dialect.allJobs();
    return end != null || all.equals("spindle_jobs") ? end : endIn(c, all, id, "");
  }

  private static @Nullable DependencyEnd endIn(JdbcConn c, String table, long id, String lock) throws SQLException {
    PreparedStatement ps = c.ps("SELECT state, result, error FROM " + table + " WHERE id = ?" + lock);
    ps.setLong(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? new DependencyEnd(Long.toString(id), SqlJobRows.state(rs.getInt(1)), rs.getString(2),
          rs.getString(3)) : null;
    }
  }

  private @Nullable JobState stateOf(JdbcConn c, long id) throws SQLException {
    DependencyEnd e = endOf(c, id);
    return e == null ? null : e.state();
  }

  private static void saveWait(JdbcConn c, long id, Workflows.Wait w) throws SQLException {
    PreparedStatement ps = c.ps("UPDATE spindle_waits SET pending = ?, failures = ? WHERE id = ?");
    ps.setInt(1, w.pending());
    ps.setInt(2, w.failures());
    ps.setLong(3, id);
    ps.executeUpdate();
  }

  private static void setCancelledBy(JdbcConn c, long id, @Nullable Long parent) throws SQLException {
    PreparedStatement ps = c.ps("UPDATE spindle_waits SET cancelled_by = ? WHERE id = ?");
    if (parent == null) {
      ps.setNull(1, java.sql.Types.INTEGER);
    } else {
      ps.setLong(1, parent);
    }
    ps.setLong(2, id);
    ps.executeUpdate();
  }
}
