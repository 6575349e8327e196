package dev.spindle.store.jdbc.internal;

import dev.spindle.PayloadException;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.store.Workflows;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The enqueue path of a SQL store: new jobs (batched inserts, unique keys, jobs with dependencies,
 * jobs dead from the start because their flow key could not be computed), children of a running
 * job, and the jobs a schedule fires ({@link #insert}); each call one write transaction. Also the
 * payload limit, which completions apply to results. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlEnqueue<C extends JdbcConn> {
  /** Batches up to this size use the connection's statements; larger ones a statement of their own. */
  public static final int SMALL_BATCH = 512;

  /** What differs between the stores' inserts. Implementations are thread-safe. */
  public interface Rows<C> {
    /** {@link #insertJob()}'s default: the job's row with its trace context in a column of its own. */
    String JOB_ROW_WITH_TRACE = "INSERT INTO spindle_jobs (id, task, queue, state, priority, args, unique_key, created_at,"
        + " run_at, policy_id, flow_key, trace_context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /**
     * The INSERT of one job: the columns {@code id, task, queue, state, priority, args, unique_key,
     * created_at, run_at, policy_id, flow_key}, then {@code trace_context} if {@link #traces} is
     * null, as parameters in that order. By default {@link #JOB_ROW_WITH_TRACE}.
     */
    default String insertJob() {
      return JOB_ROW_WITH_TRACE;
    }

    /** {@code n} new job ids, ascending, never handed out before. */
    long[] newIds(C c, int n) throws SQLException;

    /**
     * The INSERT of one job that takes a new id from the store and returns it ({@code RETURNING id}):
     * the parameters of {@link #insertJob()} without the id, trace context in the row. Null if the
     * store has none (the default); with one, a plain job enqueued alone is one auto-committed
     * statement.
     */
    default @Nullable String insertAlone() {
      return null;
    }

    /**
     * Before {@code jobs} are inserted, in the same transaction (row locks taken in a fixed order,
     * caches told). By default nothing.
     */
    default void beforeInsert(C c, List<NewJob> jobs) throws SQLException {}

    /**
     * Where the trace contexts of this insert go when the job row has no column for them, or null
     * (the default).
     *
     * @param big whether the batch is larger than {@link #SMALL_BATCH}
     */
    default @Nullable Traces traces(C c, boolean big) throws SQLException {
      return null; // the trace context is a column of the job's row
    }
  }

  /**
   * Rows with the defaults (trace context in the job's row, nothing before the insert) whose ids
   * come from a database sequence: {@code idsQuery} of a count {@code k} (1 to {@code maxChunk})
   * yields {@code k} new ids, one per row; a batch takes as many chunks as it needs and sorts the
   * ids. Stateless.
   */
  public static <C extends JdbcConn> Rows<C> sequenceIds(IntFunction<String> idsQuery, int maxChunk) {
    return (c, n) -> {
      long[] out = new long[n];
      int i = 0;
      while (i < n) {
        try (ResultSet rs = c.ps(idsQuery.apply(Math.min(n - i, maxChunk))).executeQuery()) {
          while (rs.next()) {
            out[i++] = rs.getLong(1);
          }
        }
      }
      Arrays.sort(out);
      return out;
    };
  }

  /** The trace contexts of one insert, written apart from the job rows. */
  public interface Traces extends AutoCloseable {
    /** Adds job {@code id}'s trace context (nothing if null). */
    void add(long id, @Nullable String context) throws SQLException;

    /** Writes what was added. */
    void write() throws SQLException;

    @Override
    void close() throws SQLException;
  }

  private final SqlDb<C> db;
  private final Rows<C> rows;
  private final SqlStoreHost<C> host;
  private final Clock clock;
  private final SqlPolicies policies;
  private final SqlDependencies<C> deps;
  private final int maxPayloadBytes;
  private final Runnable changed;
  private final Runnable readied;
  private final String byUniqueKey;

  /**
   * @param host finishes jobs dead from the start
   * @param changed called after each commit that added jobs
   * @param readied called before each insert, in its transaction: jobs are about to become ready
   */
  public SqlEnqueue(SqlDb<C> db, JdbcDialect dialect, Rows<C> rows, SqlStoreHost<C> host, Clock clock,
      SqlPolicies policies, SqlDependencies<C> deps, int maxPayloadBytes, Runnable changed, Runnable readied) {
    this.db = db;
    this.rows = rows;
    this.host = host;
    this.clock = clock;
    this.policies = policies;
    this.deps = deps;
    this.maxPayloadBytes = maxPayloadBytes;
    this.changed = changed;
    this.readied = readied;
    this.byUniqueKey = "SELECT id, state FROM " + dialect.allJobs() + " WHERE unique_key = ?";
  }

  /** {@code JobStore.enqueue}. */
  public List<EnqueueResult> enqueue(List<NewJob> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    checkArguments(jobs);
    Workflows.checkBatch(jobs);
    String alone = jobs.size() == 1 ? aloneSql(jobs.get(0)) : null;
    if (alone != null) {
      List<EnqueueResult> results = insertAlone(jobs.get(0), alone);
      changed.run();
      return results;
    }
    Map<JobPolicy, Long> created = new HashMap<>();
    List<EnqueueResult> results = db.write("enqueue " + jobs.size() + " job(s)", c -> {
      created.clear();
      return insert(c, jobs, created);
    });
    policies.committed(created);
    changed.run();
    return results;
  }

  /**
   * The one-statement INSERT for job {@code j} enqueued alone, or null if it needs more: a unique key
   * (looked up first), dependencies, a bad flow key (finished at once), a policy not yet recorded, or
   * a store without {@link Rows#insertAlone}.
   */
  private @Nullable String aloneSql(NewJob j) {
    String sql = rows.insertAlone();
    boolean plain = j.uniqueKey() == null && !j.hasDependencies() && !FlowControl.isBad(j.flowKey());
    return sql != null && plain && policies.recordedId(j.policy()) != null ? sql : null;
  }

  /** Enqueues a plain job in one auto-committed statement that returns its new id ({@link #aloneSql}). */
  private List<EnqueueResult> insertAlone(NewJob j, String sql) {
    long pid = Objects.requireNonNull(policies.recordedId(j.policy()), "the recorded policy");
    JobState state = j.isDelayed() ? JobState.SCHEDULED : JobState.QUEUED;
    return db.writeOne("enqueue 1 job", c -> {
      readied.run();
      rows.beforeInsert(c, List.of(j));
      PreparedStatement ins = c.ps(sql);
      bindColumns(ins, 1, null, j, 0, SqlJobRows.code(state), pid, StoreClock.at(clock.instant(), j.createdAt()));
      try (ResultSet rs = ins.executeQuery()) {
        rs.next();
        return List.of(new EnqueueResult(Long.toString(rs.getLong(1)), true, state));
      }
    });
  }

  /** {@code JobStore.addChildren}. */
  public List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    checkArguments(jobs);
    List<EnqueueResult> results = deps.addChildren(db, clock, policies, parentId, fence, jobs, exits, this::insert);
    changed.run();
    return results;
  }

  /** Checks every job's arguments against the payload limit. */
  public void checkArguments(List<NewJob> jobs) {
    for (NewJob j : jobs) {
      checkPayload(j.argsJson(), "arguments of task '" + j.task() + "'", maxPayloadBytes);
    }
  }

  /** Inserts {@code jobs} in the caller's transaction, adding the policies it records to {@code created}. */
  public List<EnqueueResult> insert(C c, List<NewJob> jobs, Map<JobPolicy, Long> created) throws SQLException {
    long[] ids = rows.newIds(c, jobs.size());
    readied.run();
    rows.beforeInsert(c, jobs);
    // sqlite-jdbc clears a statement's whole batch array after each executeBatch, and the array only
    // grows: a big batch gets its own statement, so the cached one stays cheap for small enqueues
    boolean big = jobs.size() > SMALL_BATCH;
    PreparedStatement ins = big ? c.jdbc().prepareStatement(rows.insertJob()) : c.ps(rows.insertJob());
    try (Traces traces = rows.traces(c, big)) {
      List<EnqueueResult> out = insertWith(c, ins, traces, jobs, created, ids);
      if (traces != null) {
        traces.write();
      }
      return out;
    } finally {
      if (big) {
        ins.close();
      }
    }
  }

  private List<EnqueueResult> insertWith(C c, PreparedStatement ins, @Nullable Traces traces, List<NewJob> jobs,
      Map<JobPolicy, Long> created, long[] ids) throws SQLException {
    int nextId = 0;
    Instant storeNow = clock.instant();
    PreparedStatement byKey = c.ps(byUniqueKey);
    EnqueueResult[] out = new EnqueueResult[jobs.size()];
    boolean batched = false;
    JobPolicy lastPolicy = null;
    long lastPolicyId = -1;
    for (int i = 0; i < jobs.size(); i++) {
      NewJob j = jobs.get(i);
      long pid;
      if (j.policy() == lastPolicy) {
        pid = lastPolicyId; // a batch usually shares one policy instance: skip hashing it
      } else {
        pid = policies.id(c, j.policy(), created);
        lastPolicy = j.policy();
        lastPolicyId = pid;
      }
      if (j.uniqueKey() != null) {
        if (batched) {
          ins.executeBatch();
          batched = false;
        }
        byKey.setString(1, j.uniqueKey());
        try (ResultSet rs = byKey.executeQuery()) {
          if (rs.next()) {
            out[i] = new EnqueueResult(Long.toString(rs.getLong(1)), false, SqlJobRows.state(rs.getInt(2)));
            continue;
          }
        }
      }
      long id = ids[nextId++];
      StoreClock sc = StoreClock.at(storeNow, j.createdAt());
      boolean bad = FlowControl.isBad(j.flowKey());
      if (j.hasDependencies() || bad) {
        if (batched) {
          ins.executeBatch(); // a dependent reads its dependencies' rows; a dead job is finished at once
          batched = false;
        }
        // a bad flow key wins over dependencies (as in memory): the job is dead, never run unlimited
        out[i] = bad ? insertDead(c, ins, traces, j, id, pid, sc)
            : insertDependent(c, ins, traces, j, id, pid, out, sc);
        continue;
      }
      JobState state = j.isDelayed() ? JobState.SCHEDULED : JobState.QUEUED;
      bind(ins, traces, j, id, SqlJobRows.code(state), pid, sc);
      if (j.uniqueKey() != null || jobs.size() == 1) {
        ins.executeUpdate();
      } else {
        ins.addBatch();
        batched = true;
      }
      out[i] = new EnqueueResult(Long.toString(id), true, state);
    }
    if (batched) {
      ins.executeBatch();
    }
    return Arrays.asList(out);
  }

  /** Binds job {@code j}'s row (its trace context to the row's column, or to {@code traces}). */
  private static void bind(PreparedStatement ins, @Nullable Traces traces, NewJob j, long id, int state, long pid,
      StoreClock sc) throws SQLException {
    ins.setLong(1, id);
    bindColumns(ins, 2, traces, j, id, state, pid, sc);
  }

  /** Binds the columns after the id, from parameter {@code from} on. */
  private static void bindColumns(PreparedStatement ins, int from, @Nullable Traces traces, NewJob j, long id,
      int state, long pid, StoreClock sc) throws SQLException {
    int p = from;
    ins.setString(p++, j.task());
    ins.setString(p++, j.queue());
    ins.setInt(p++, state);
    ins.setInt(p++, j.priority());
    ins.setString(p++, j.argsJson());
    ins.setString(p++, j.uniqueKey());
    ins.setLong(p++, SqlJobRows.micros(sc.now()));
    ins.setLong(p++, SqlJobRows.micros(sc.translate(j.runAt())));
    ins.setLong(p++, pid);
    ins.setString(p++, FlowControl.isBad(j.flowKey()) ? null : j.flowKey());
    if (traces == null) {
      ins.setString(p, j.traceContext());
    } else {
      traces.add(id, j.traceContext());
    }
  }

  /** Inserts a job that has dependencies: WAITING, released at once, or cancelled at once. */
  private EnqueueResult insertDependent(C c, PreparedStatement ins, @Nullable Traces traces, NewJob j, long id,
      long pid, EnqueueResult[] batch, StoreClock sc) throws SQLException {
    bind(ins, traces, j, id, SqlJobRows.WAITING, pid, sc);
    ins.executeUpdate();
    return deps.placeDependent(c, id, j, batch, sc.now());
  }

  /** Inserts a job that is dead from the start (its flow key could not be computed): in as RUNNING, finished DEAD. */
  private EnqueueResult insertDead(C c, PreparedStatement ins, @Nullable Traces traces, NewJob j, long id, long pid,
      StoreClock sc) throws SQLException {
    bind(ins, traces, j, id, SqlJobRows.RUNNING, pid, sc);
    ins.executeUpdate();
    host.finish(c, id, JobState.RUNNING, JobState.DEAD, sc.now(),
        FlowControl.badKeyError(Objects.requireNonNull(j.flowKey(), "the bad flow key")), FlowControl.BAD_FLOW_KEY,
        SqlRules.ttlOf(JobState.DEAD));
    return new EnqueueResult(Long.toString(id), true, JobState.DEAD);
  }

  /**
   * Fails unless {@code json} (the arguments or result named by {@code what}) is at most {@code
   * limit} UTF-8 bytes.
   *
   * @throws PayloadException if it is larger
   */
  private static void checkPayload(@Nullable String json, String what, int limit) {
    if (json == null) {
      return;
    }
    if ((long) json.length() * 3 > limit) {
      int bytes = json.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > limit) {
        throw new PayloadException(what + " is " + bytes + " bytes of JSON, over the store's limit of " + limit
            + " bytes; pass a reference (a path or URL) instead of the data, or raise maxPayloadBytes");
      }
    }
  }

  /** True if a result of {@code json} is over {@code limit} UTF-8 bytes. */
  public static boolean tooLarge(@Nullable String json, int limit) {
    try {
      checkPayload(json, "result", limit);
      return false;
    } catch (PayloadException e) {
      return true;
    }
  }
}
