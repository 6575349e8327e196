package dev.spindle.store.sqlite;

import dev.spindle.PayloadException;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.spi.Workflows;
import dev.spindle.queue.spi.sql.SqlDependencies;
import dev.spindle.queue.spi.sql.SqlPolicies;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.JobRows;
import dev.spindle.store.sqlite.internal.TraceContextColumn;
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
import org.jspecify.annotations.Nullable;

/**
 * The enqueue path of {@link SqliteJobStore}: new jobs (batched inserts, unique keys, jobs with
 * dependencies, jobs dead from the start because their flow key could not be computed), children
 * of a running job, and the jobs a schedule fires, each call one write transaction. Also the
 * payload limit, which completions apply to results. Thread-safe.
 */
final class SqliteEnqueue {
  private static final String INSERT_JOB = "INSERT INTO spindle_jobs (id, task, queue, state, priority, args,"
      + " unique_key, created_at, run_at, policy_id, flow_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  /** Batches up to this size use cached statements (see {@link #insert}). */
  static final int SMALL_BATCH = 512;

  private final SqliteJobStore store;
  private final Db db;
  private final Clock clock;
  private final SqlPolicies policyIds;
  private final SqlDependencies<Db.Conn> deps;
  private final int maxPayloadBytes;
  private final Runnable changed;

  /**
   * @param store told of the jobs about to be inserted ({@link SqliteJobStore#inserting}), and
   *     finishes jobs whose dependencies cancel them at once
   * @param changed called after each commit that added jobs
   */
  SqliteEnqueue(SqliteJobStore store, Db db, Clock clock, SqlPolicies policyIds, SqlDependencies<Db.Conn> deps,
      int maxPayloadBytes, Runnable changed) {
    this.store = store;
    this.db = db;
    this.clock = clock;
    this.policyIds = policyIds;
    this.deps = deps;
    this.maxPayloadBytes = maxPayloadBytes;
    this.changed = changed;
  }

  /** {@link JobStore#enqueue}. */
  List<EnqueueResult> enqueue(List<NewJob> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    for (NewJob j : jobs) {
      checkPayload(j.argsJson(), "arguments of task '" + j.task() + "'");
    }
    Workflows.checkBatch(jobs);
    Map<JobPolicy, Long> created = new HashMap<>();
    List<EnqueueResult> results = db.write("enqueue " + jobs.size() + " job(s)", c -> {
      created.clear();
      return insert(c, jobs, created);
    });
    policyIds.committed(created);
    changed.run();
    return results;
  }

  /** {@link JobStore#addChildren}. */
  List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    for (NewJob j : jobs) {
      checkPayload(j.argsJson(), "arguments of task '" + j.task() + "'");
    }
    List<EnqueueResult> results = deps.addChildren(db, clock, policyIds, parentId, fence, jobs, exits, this::insert);
    changed.run();
    return results;
  }

  List<EnqueueResult> insert(Db.Conn c, List<NewJob> jobs, Map<JobPolicy, Long> created)
      throws SQLException {
    // the next id follows the highest ever used: the live maximum, or the floor that deletions record
    // (so ids are never reused); enqueues only read it, they write no counter row
    long last = Math.max(SqliteMeta.get(c, "job_id"), SqliteMeta.maxJobId(c));
    // sqlite-jdbc clears a statement's whole batch array after each executeBatch, and the array only
    // grows: a big batch gets its own statement, so the cached one stays cheap for small enqueues
    boolean big = jobs.size() > SMALL_BATCH;
    store.inserting(jobs);
    PreparedStatement ins = big ? c.jdbc().prepareStatement(INSERT_JOB) : c.ps(INSERT_JOB);
    try (TraceContextColumn.Batch traces = new TraceContextColumn.Batch(c, big)) {
      List<EnqueueResult> out = insertWith(c, ins, traces, jobs, created, last);
      traces.write();
      return out;
    } finally {
      if (big) {
        ins.close();
      }
    }
  }

  private List<EnqueueResult> insertWith(Db.Conn c, PreparedStatement ins, TraceContextColumn.Batch traces,
      List<NewJob> jobs, Map<JobPolicy, Long> created, long lastId) throws SQLException {
    long last = lastId;
    Instant storeNow = clock.instant();
    PreparedStatement byKey = c.ps("SELECT id, state FROM spindle_jobs WHERE unique_key = ?");
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
        pid = policyIds.id(c, j.policy(), created);
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
            out[i] = new EnqueueResult(Long.toString(rs.getLong(1)), false, JobRows.state(rs.getInt(2)));
            continue;
          }
        }
      }
      long id = ++last;
      JobState state = j.isDelayed() ? JobState.SCHEDULED : JobState.QUEUED;
      if (FlowControl.isBad(j.flowKey())) {
        if (batched) {
          ins.executeBatch();
          batched = false;
        }
        out[i] = insertDead(c, j, id, pid, StoreClock.at(storeNow, j.createdAt()));
        traces.add(id, j.traceContext());
        continue;
      }
      if (j.hasDependencies()) {
        if (batched) {
          ins.executeBatch(); // its dependencies must be rows before it reads their states
          batched = false;
        }
        out[i] = insertDependent(c, ins, j, id, pid, out, StoreClock.at(storeNow, j.createdAt()));
        traces.add(id, j.traceContext());
        continue;
      }
      ins.setLong(1, id);
      ins.setString(2, j.task());
      ins.setString(3, j.queue());
      ins.setInt(4, JobRows.code(state));
      ins.setInt(5, j.priority());
      ins.setString(6, j.argsJson());
      ins.setString(7, j.uniqueKey());
      StoreClock sc = StoreClock.at(storeNow, j.createdAt());
      ins.setLong(8, JobRows.micros(sc.now()));
      ins.setLong(9, JobRows.micros(sc.translate(j.runAt())));
      ins.setLong(10, pid);
      ins.setString(11, j.flowKey());
      traces.add(id, j.traceContext());
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

  /** Inserts a job that has dependencies: WAITING, released at once, or cancelled at once. */
  private EnqueueResult insertDependent(Db.Conn c, PreparedStatement ins, NewJob j, long id, long pid,
      EnqueueResult[] batch, StoreClock sc) throws SQLException {
    ins.setLong(1, id);
    ins.setString(2, j.task());
    ins.setString(3, j.queue());
    ins.setInt(4, JobRows.WAITING);
    ins.setInt(5, j.priority());
    ins.setString(6, j.argsJson());
    ins.setString(7, j.uniqueKey());
    ins.setLong(8, JobRows.micros(sc.now()));
    ins.setLong(9, JobRows.micros(sc.translate(j.runAt())));
    ins.setLong(10, pid);
    ins.setString(11, FlowControl.isBad(j.flowKey()) ? null : j.flowKey());
    ins.executeUpdate();
    return deps.placeDependent(c, id, j, batch, sc.now());
  }

  /**
   * Fails unless {@code json} (the arguments or result named by {@code what}) is at most the store's
   * limit in UTF-8 bytes.
   *
   * @throws PayloadException if it is larger
   */
  private void checkPayload(@Nullable String json, String what) {
    checkPayload(json, what, maxPayloadBytes);
  }

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
  static boolean tooLarge(@Nullable String json, int limit) {
    try {
      checkPayload(json, "result", limit);
      return false;
    } catch (PayloadException e) {
      return true;
    }
  }

  /** Adds a job that is dead from the start: its flow key could not be computed. */
  private EnqueueResult insertDead(Db.Conn c, NewJob j, long id, long policyId, StoreClock sc) throws SQLException {
    long now = JobRows.micros(sc.now());
    long seq = SqliteMeta.get(c, "finish_seq") + 1;
    PreparedStatement ps = c.ps("INSERT INTO spindle_jobs (id, task, queue, state, priority, args, unique_key,"
        + " created_at, run_at, policy_id, error, dead_reason, finished_at, finish_seq, expires_at)"
        + " VALUES (?, ?, ?, " + JobRows.code(JobState.DEAD) + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        + " ? + (SELECT failure_ttl_us FROM spindle_policies WHERE id = ?))");
    ps.setLong(1, id);
    ps.setString(2, j.task());
    ps.setString(3, j.queue());
    ps.setInt(4, j.priority());
    ps.setString(5, j.argsJson());
    ps.setString(6, j.uniqueKey());
    ps.setLong(7, now);
    ps.setLong(8, JobRows.micros(sc.translate(j.runAt())));
    ps.setLong(9, policyId);
    ps.setString(10, FlowControl.badKeyError(Objects.requireNonNull(j.flowKey(), "the bad flow key")));
    ps.setString(11, FlowControl.BAD_FLOW_KEY);
    ps.setLong(12, now);
    ps.setLong(13, seq);
    ps.setLong(14, now);
    ps.setLong(15, policyId);
    ps.executeUpdate();
    SqliteMeta.set(c, "finish_seq", seq);
    SqliteStatistics.addStats(c, sc.now(), new HashMap<>(Map.of(MinuteStats.DEAD, 1L)));
    return new EnqueueResult(Long.toString(id), true, JobState.DEAD);
  }
}
