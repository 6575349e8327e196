package dev.spindle.store.sqlite;

import dev.spindle.PayloadException;
import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.AuditRecord;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.ChangeListeners;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.LiveView;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.queue.spi.Workflows;
import dev.spindle.queue.spi.sql.SqlControl;
import dev.spindle.queue.spi.sql.SqlDependencies;
import dev.spindle.queue.spi.sql.SqlFlow;
import dev.spindle.queue.spi.sql.SqlInspector;
import dev.spindle.queue.spi.sql.SqlPolicies;
import dev.spindle.queue.spi.sql.SqlRetention;
import dev.spindle.queue.spi.sql.SqlSchedules;
import dev.spindle.queue.spi.sql.SqlStatistics;
import dev.spindle.queue.spi.sql.SqlStoreHost;
import dev.spindle.queue.spi.sql.SqlWorkers;
import dev.spindle.store.sqlite.internal.ChangePoller;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.FilePrivacy;
import dev.spindle.store.sqlite.internal.HostClock;
import dev.spindle.store.sqlite.internal.JobRows;
import dev.spindle.store.sqlite.internal.Schema;
import dev.spindle.store.sqlite.internal.SqliteDialect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The embedded job store: one SQLite file in WAL mode, shared safely by any number of processes on
 * one machine (the single-machine default). Every operation is one transaction, so a crash or
 * {@code kill -9} at any point loses nothing committed and leaves no half-done change.
 *
 * <ul>
 *   <li>Durability: {@code synchronous=NORMAL} by default (committed jobs survive any process crash;
 *       a power loss may drop the last transactions), {@link Durability#FULL} to survive power loss too.
 *   <li>Busy database: writes take the lock with BEGIN IMMEDIATE and wait up to the busy timeout
 *       with sub-millisecond backoff, then fail with a clear {@link StoreException} (BUSY).
 *   <li>Full disk, read-only file, damaged file: a {@link StoreException} saying which, with the
 *       transaction rolled back.
 *   <li>Idle workers are woken within about {@link Builder#wakeupInterval} of a commit by any
 *       process, by polling {@code PRAGMA data_version}.
 *   <li>All SQLite calls run on platform threads; calls from virtual threads are handed over.
 *   <li>Job payloads are private: a new store's directories are created 0700 and its files (the
 *       database, {@code -wal}, {@code -shm}) 0600; a store other users can read is reported
 *       (WARN) or refused ({@link Builder#requirePrivate}).
 *   <li>A connection that failed with an error other than busy (disk full, I/O error) is replaced
 *       by a fresh one, so the store resumes by itself once the cause is gone.
 * </ul>
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link Builder#busyTimeout}</td><td>10 s</td></tr>
 *   <tr><td>{@link Builder#durability}</td><td>NORMAL</td></tr>
 *   <tr><td>{@link Builder#maxDatabaseBytes}</td><td>0: no limit besides the disk</td></tr>
 *   <tr><td>{@link Builder#maxPayloadBytes}</td><td>16 MiB per argument or result</td></tr>
 *   <tr><td>{@link Builder#wakeupInterval}</td><td>2 ms</td></tr>
 *   <tr><td>{@link Builder#requirePrivate}</td><td>false: warn about a store others can read</td></tr>
 * </table>
 *
 * <p>Thread-safe. Open with {@link #open(Path)}, a {@link Builder}, or
 * {@code JobStores.open("sqlite:path")}.
 */
public final class SqliteJobStore implements JobStore, JobInspector, QueueControl, AuditLog, JobStatistics {
  /** How hard commits are flushed to disk. */
  public enum Durability {
    /** {@code synchronous=NORMAL}: safe against process crashes; the fastest. */
    NORMAL,
    /** {@code synchronous=FULL}: every commit is fsynced; safe against power loss. */
    FULL
  }

  static final String JOB_BY_ID = "SELECT " + JobRows.COLUMNS + " FROM spindle_jobs WHERE id = ?";
  private static final String INSERT_JOB = "INSERT INTO spindle_jobs (id, task, queue, state, priority, args,"
      + " unique_key, created_at, run_at, policy_id, trace_context, flow_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  /** Batches up to this size use cached statements (see {@link #insert}). */
  private static final int SMALL_BATCH = 512;
  private static final String HELD = "fence = ? AND worker_id = ? AND id = ? AND state = " + JobRows.RUNNING;
  // The SET clauses of set-based moves, checked against JobState's table when the class loads.
  private static final String SCHEDULED_TO_QUEUED = JobRows.moveTo(JobState.SCHEDULED, JobState.QUEUED);
  private static final String QUEUED_TO_RUNNING = JobRows.moveTo(JobState.QUEUED, JobState.RUNNING);
  private static final String RUNNING_TO_SUCCEEDED = JobRows.moveTo(JobState.RUNNING, JobState.SUCCEEDED);
  private static final String RUNNING_TO_CANCELLED = JobRows.moveTo(JobState.RUNNING, JobState.CANCELLED);
  static final String RUNNING_TO_QUEUED = JobRows.moveTo(JobState.RUNNING, JobState.QUEUED);
  /** Claims the best ready job of a queue and flow key ({@link SqlFlow}). */
  private static final String TAKE_KEYED = "UPDATE spindle_jobs SET " + QUEUED_TO_RUNNING + ", worker_id = ?,"
      + " fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE id = (SELECT id"
      + " FROM spindle_jobs INDEXED BY spindle_jobs_flow_ready WHERE state = " + JobRows.QUEUED
      + " AND queue = ? AND flow_key = ?"
      + " ORDER BY priority DESC, id LIMIT 1) RETURNING " + JobRows.CLAIM_COLUMNS;
  /** Claims the best ready job without a flow key of a queue that has keyed ones. */
  private static final String TAKE_UNKEYED = "UPDATE spindle_jobs SET " + QUEUED_TO_RUNNING + ", worker_id = ?,"
      + " fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE id = (SELECT id"
      + " FROM spindle_jobs INDEXED BY spindle_jobs_ready_plain WHERE state = " + JobRows.QUEUED
      + " AND queue = ? AND flow_key IS NULL"
      + " ORDER BY priority DESC, id LIMIT 1) RETURNING " + JobRows.CLAIM_COLUMNS;
  /** Claims the best ready jobs without a flow key of a queue known to have no keyed ones. */
  private static final String TAKE_PLAIN = "UPDATE spindle_jobs SET " + QUEUED_TO_RUNNING + ", worker_id = ?,"
      + " fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE id IN (SELECT id"
      + " FROM spindle_jobs INDEXED BY spindle_jobs_ready_plain WHERE state = " + JobRows.QUEUED
      + " AND queue = ? AND flow_key IS NULL ORDER BY priority DESC, id LIMIT ?) RETURNING " + JobRows.CLAIM_COLUMNS;
  /**
   * How long a queue found without keyed ready jobs is claimed from without looking for keys
   * (ns): its claims take unkeyed jobs only ({@link #TAKE_PLAIN}), so a keyed job another process
   * enqueues meanwhile waits at most this long, and is never taken past its limits.
   */
  private static final long KEYLESS_TTL_NANOS = 20_000_000L;
  static final String RESULT_TTL = "(SELECT result_ttl_us FROM spindle_policies p WHERE p.id = policy_id)";
  static final String FAILURE_TTL = "(SELECT failure_ttl_us FROM spindle_policies p WHERE p.id = policy_id)";

  private final Path file;
  private final Settings settings;
  private final Db db;
  /** The store's one clock (the host's kernel clock by default): leases, due times, expiry. */
  private final Clock clock;
  private final SqlPolicies policyIds = new SqlPolicies();
  private final ChangeListeners listeners = new ChangeListeners();
  private final ChangePoller poller;
  private final SqlDependencies<Db.Conn> deps = new SqlDependencies<>(SqliteDialect.INSTANCE, (c, id, error, now) ->
      finish(c, id, JobState.WAITING, JobState.CANCELLED, now, error, null, RESULT_TTL));
  private volatile boolean closed;
  private final SqlInspector<Db.Conn> inspector;
  private final SqlControl<Db.Conn> control;
  private final SqlStatistics<Db.Conn> statistics;
  private final SqlSchedules<Db.Conn> schedules;
  private final SqlRetention<Db.Conn> retention;
  private final SqlWorkers<Db.Conn> workers;
  private final SqlFlow<Db.Conn> flow;
  /** Queues found without keyed ready jobs, and when (System.nanoTime); see {@link #KEYLESS_TTL_NANOS}. */
  private final java.util.concurrent.ConcurrentHashMap<String, Long> keyless =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The settings of an open store: an immutable copy of its {@link Builder}, so changing the builder
   * afterwards changes nothing.
   */
  private record Settings(Path file, Duration busyTimeout, Durability durability, long maxDatabaseBytes,
      int maxPayloadBytes, Duration wakeupInterval, boolean requirePrivate, Clock clock) {}

  private SqliteJobStore(Settings b) {
    this.settings = b;
    this.file = b.file.toAbsolutePath().normalize();
    this.clock = b.clock;
    FilePrivacy.prepare(file, b.requirePrivate);
    this.db = new Db(file, b.busyTimeout, b.maxDatabaseBytes, b.durability == Durability.FULL);
    try {
      if (!db.read("read the schema version", Schema::isCurrent)) {
        db.write("create the schema", c -> {
          Schema.migrate(c, file);
          return null;
        });
      }
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    this.poller = new ChangePoller(db, b.wakeupInterval.toNanos(), listeners);
    SqlStoreHost<Db.Conn> host = new SqlStoreHost<>() {
      @Override
      public JobInfo row(Db.Conn c, ResultSet rs) throws SQLException {
        return SqliteJobStore.this.row(c, rs);
      }

      @Override
      public void finish(Db.Conn c, long id, JobState from, JobState to, Instant now, @Nullable String error,
          @Nullable String deadReason, String ttl) throws SQLException {
        SqliteJobStore.this.finish(c, id, from, to, now, error, deadReason, ttl);
      }

      @Override
      public void changed() {
        listeners.fire();
      }
    };
    SqliteDialect dialect = SqliteDialect.INSTANCE;
    this.inspector = new SqlInspector<>(db, dialect, clock, host, deps);
    this.schedules = new SqlSchedules<>(db, host);
    this.control = new SqlControl<>(db, dialect, clock, host);
    this.statistics = new SqlStatistics<>(db);
    this.retention = new SqlRetention<>(db, dialect, clock);
    this.workers = new SqlWorkers<>(db, dialect, clock, host);
    this.flow = new SqlFlow<>(db, SqliteDialect.INSTANCE, clock, listeners::fire, null);
  }

  /** Opens (creating if needed) the store at {@code file} with default settings. */
  public static SqliteJobStore open(Path file) {
    return builder(file).open();
  }

  /** A builder for the store at {@code file}. */
  public static Builder builder(Path file) {
    return new Builder(file);
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  @Override
  public Instant storeTime() {
    return clock.instant();
  }

  /** The durability setting in use. */
  public Durability durability() {
    return settings.durability;
  }

  /** For tests: how many calls were moved off virtual threads onto platform threads. */
  public long offloadedCalls() {
    return db.offloadedCalls();
  }

  // ---------------------------------------------------------------- policies

  private long policyId(Db.Conn c, JobPolicy p, Map<JobPolicy, Long> created) throws SQLException {
    return policyIds.id(c, p, created);
  }

  private JobPolicy policy(Db.Conn c, long id) throws SQLException {
    return policyIds.get(c, id);
  }

  static long micros(Duration d) {
    if (d.getSeconds() >= Long.MAX_VALUE / 4_000_000L) {
      return Long.MAX_VALUE / 4; // saturate: no stored duration may overflow
    }
    return Math.min(d.toNanos() / 1000, Long.MAX_VALUE / 4);
  }

  static long micros(Instant t) {
    return JobRows.micros(t);
  }

  JobInfo row(Db.Conn c, ResultSet rs) throws SQLException {
    return JobRows.read(rs, id -> policy(c, id));
  }

  static long meta(Db.Conn c, String key) throws SQLException {
    PreparedStatement ps = c.ps("SELECT value FROM spindle_meta WHERE key = ?");
    ps.setString(1, key);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private static long maxJobId(Db.Conn c) throws SQLException {
    try (ResultSet rs = c.ps("SELECT max(id) FROM spindle_jobs").executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  static void setMeta(Db.Conn c, String key, long value) throws SQLException {
    PreparedStatement ps = c.ps("UPDATE spindle_meta SET value = ? WHERE key = ?");
    ps.setLong(1, value);
    ps.setString(2, key);
    ps.executeUpdate();
  }

  // ---------------------------------------------------------------- enqueue

  @Override
  public List<EnqueueResult> enqueue(List<NewJob> jobs) {
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
    listeners.fire();
    return results;
  }

  @Override
  public List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    long parent = parseIdOrNeg(parentId);
    if (parent < 0) {
      throw new JobNotFoundException(parentId);
    }
    for (NewJob j : jobs) {
      checkPayload(j.argsJson(), "arguments of task '" + j.task() + "'");
    }
    Workflows.checkBatch(jobs);
    Map<JobPolicy, Long> created = new HashMap<>();
    List<EnqueueResult> results = db.write("add " + jobs.size() + " child job(s) to job " + parentId, c -> {
      created.clear();
      PreparedStatement ps = c.ps("SELECT state, fence FROM spindle_jobs WHERE id = ?");
      ps.setLong(1, parent);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new JobNotFoundException(parentId);
        }
        Workflows.checkChildren(parentId, JobRows.state(rs.getInt(1)), rs.getLong(2), fence, jobs, exits);
      }
      List<EnqueueResult> out = insert(c, jobs, created);
      long[] exitIds = new long[exits.size()];
      for (int i = 0; i < exitIds.length; i++) {
        exitIds[i] = Long.parseLong(out.get(exits.get(i)).jobId());
      }
      deps.adopt(c, parent, exitIds, clock.instant());
      return out;
    });
    policyIds.committed(created);
    listeners.fire();
    return results;
  }

  private List<EnqueueResult> insert(Db.Conn c, List<NewJob> jobs, Map<JobPolicy, Long> created)
      throws SQLException {
    // the next id follows the highest ever used: the live maximum, or the floor that deletions record
    // (so ids are never reused); enqueues only read it, they write no counter row
    long last = Math.max(meta(c, "job_id"), maxJobId(c));
    // sqlite-jdbc clears a statement's whole batch array after each executeBatch, and the array only
    // grows: a big batch gets its own statement, so the cached one stays cheap for small enqueues
    boolean big = jobs.size() > SMALL_BATCH;
    flow.readied();
    for (NewJob j : jobs) {
      if (j.flowKey() != null) {
        keyless.remove(j.queue());
      }
    }
    PreparedStatement ins = big ? c.jdbc().prepareStatement(INSERT_JOB) : c.ps(INSERT_JOB);
    try {
      return insertWith(c, ins, jobs, created, last);
    } finally {
      if (big) {
        ins.close();
      }
    }
  }

  private List<EnqueueResult> insertWith(Db.Conn c, PreparedStatement ins, List<NewJob> jobs,
      Map<JobPolicy, Long> created, long lastId) throws SQLException {
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
        pid = policyId(c, j.policy(), created);
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
        continue;
      }
      if (j.hasDependencies()) {
        if (batched) {
          ins.executeBatch(); // its dependencies must be rows before it reads their states
          batched = false;
        }
        out[i] = insertDependent(c, ins, j, id, pid, out, StoreClock.at(storeNow, j.createdAt()));
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
      ins.setLong(8, micros(sc.now()));
      ins.setLong(9, micros(sc.translate(j.runAt())));
      ins.setLong(10, pid);
      ins.setString(11, j.traceContext());
      ins.setString(12, j.flowKey());
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
    ins.setLong(8, micros(sc.now()));
    ins.setLong(9, micros(sc.translate(j.runAt())));
    ins.setLong(10, pid);
    ins.setString(11, j.traceContext());
    ins.setString(12, FlowControl.isBad(j.flowKey()) ? null : j.flowKey());
    ins.executeUpdate();
    long[] parents = new long[j.dependsOn().size()];
    JobState[] known = new JobState[parents.length];
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
    JobState start = deps.add(c, id, parents, known, policies, j.input());
    if (start == JobState.WAITING) {
      return new EnqueueResult(Long.toString(id), true, JobState.WAITING);
    }
    if (start == JobState.CANCELLED) {
      finish(c, id, JobState.WAITING, JobState.CANCELLED, sc.now(), deps.cancellation(c, id), null,
          RESULT_TTL);
      return new EnqueueResult(Long.toString(id), true, JobState.CANCELLED);
    }
    JobState ready = j.isDelayed() ? JobState.SCHEDULED : JobState.QUEUED;
    PreparedStatement up = c.ps("UPDATE spindle_jobs SET state = ?, args = ? WHERE id = ?");
    up.setInt(1, JobRows.code(ready));
    up.setString(2, deps.inputOf(c, id, j.argsJson()));
    up.setLong(3, id);
    up.executeUpdate();
    return new EnqueueResult(Long.toString(id), true, ready);
  }

  private void checkPayload(String json, String what) {
    if (json == null) {
      return;
    }
    int limit = settings.maxPayloadBytes;
    if ((long) json.length() * 3 > limit) {
      int bytes = json.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > limit) {
        throw new PayloadException(what + " is " + bytes + " bytes of JSON, over the store's limit of " + limit
            + " bytes; pass a reference (a path or URL) instead of the data, or raise maxPayloadBytes");
      }
    }
  }

  private boolean tooLarge(String json) {
    try {
      checkPayload(json, "result");
      return false;
    } catch (PayloadException e) {
      return true;
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Optional<JobInfo> find(String jobId) {
    long id = parseIdOrNeg(jobId);
    if (id < 0) {
      return Optional.empty();
    }
    return db.read("find job " + jobId, c -> {
      PreparedStatement ps = c.ps(JOB_BY_ID);
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(c, rs)) : Optional.<JobInfo>empty();
      }
    });
  }

  static long parseIdOrNeg(String id) {
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public FinishedBatch finishedAfter(long cursor, int limit) {
    return db.read("read finished jobs", c -> finishedIn(c, cursor, limit));
  }

  private FinishedBatch finishedIn(Db.Conn c, long cursor, int limit) throws SQLException {
    PreparedStatement ps = c.ps("SELECT " + JobRows.COLUMNS + " FROM spindle_jobs WHERE " + JobRows.IS_TERMINAL + " AND "
        + "finish_seq > ? ORDER BY finish_seq LIMIT ?");
    ps.setLong(1, cursor);
    ps.setInt(2, limit);
    List<JobInfo> out = new ArrayList<>();
    long last = cursor;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        JobInfo j = row(c, rs);
        out.add(j);
        last = j.finishSeq();
      }
    }
    return new FinishedBatch(out, last);
  }

  @Override
  public long finishCursor() {
    return db.read("read the finish cursor", c -> meta(c, "finish_seq"));
  }

  // ---------------------------------------------------------------- cancel

  @Override
  public CancelResult cancel(String jobId, Instant callerNow) {
    long id = parseIdOrNeg(jobId);
    if (id < 0) {
      return CancelResult.NOT_FOUND;
    }
    CancelResult r = db.write("cancel job " + jobId, c -> {
      Instant now = clock.instant();
      PreparedStatement ps = c.ps("SELECT state FROM spindle_jobs WHERE id = ?");
      ps.setLong(1, id);
      int state;
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return CancelResult.NOT_FOUND;
        }
        state = rs.getInt(1);
      }
      JobState s = JobRows.state(state);
      if (s.isWaiting()) {
        finish(c, id, s, JobState.CANCELLED, now, null, null, RESULT_TTL);
        return CancelResult.CANCELLED;
      }
      if (s == JobState.RUNNING) {
        PreparedStatement up = c.ps("UPDATE spindle_jobs SET cancel_requested = 1 WHERE id = ? AND state = "
            + JobRows.RUNNING);
        up.setLong(1, id);
        up.executeUpdate();
        return CancelResult.CANCEL_REQUESTED;
      }
      return CancelResult.ALREADY_FINISHED;
    });
    if (r == CancelResult.CANCELLED || r == CancelResult.CANCEL_REQUESTED) {
      listeners.fire();
    }
    return r;
  }

  /**
   * Moves one job, read in this transaction in state {@code from}, to the terminal state {@code to}
   * with its own finish sequence number, through {@link JobState#checkTransition}.
   *
   * @throws dev.spindle.queue.IllegalJobTransitionException if the table forbids the move
   * @throws IllegalStateException if the job is not in {@code from} (it was read in this transaction)
   */
  void finish(Db.Conn c, long id, JobState from, JobState to, Instant now, @Nullable String error,
      @Nullable String deadReason, String ttl) throws SQLException {
    JobState.checkTransition(Long.toString(id), from, to);
    long seq = meta(c, "finish_seq") + 1;
    PreparedStatement ps = c.ps("UPDATE spindle_jobs SET state = ?, error = coalesce(?, error), dead_reason = ?,"
        + " finished_at = ?, finish_seq = ?, expires_at = ? + " + ttl + ", cancel_requested = 0"
        + " WHERE id = ? AND state = ?");
    long t = micros(now);
    ps.setInt(1, JobRows.code(to));
    ps.setString(2, error);
    ps.setString(3, deadReason);
    ps.setLong(4, t);
    ps.setLong(5, seq);
    ps.setLong(6, t);
    ps.setLong(7, id);
    ps.setInt(8, JobRows.code(from));
    if (ps.executeUpdate() == 0) {
      throw new IllegalStateException("job " + id + " was not " + from + " when moved to " + to
          + " although this transaction read it so; the database was changed outside the store");
    }
    setMeta(c, "finish_seq", seq);
    SqliteStatistics.addStats(c, now, Map.of(to == JobState.CANCELLED ? MinuteStats.CANCELLED
        : to == JobState.DEAD ? MinuteStats.DEAD : MinuteStats.FAILED, 1L));
    deps.ended(c, id, now);
  }

  /** Adds a job that is dead from the start: its flow key could not be computed. */
  private EnqueueResult insertDead(Db.Conn c, NewJob j, long id, long policyId, StoreClock sc) throws SQLException {
    long now = JobRows.micros(sc.now());
    long seq = meta(c, "finish_seq") + 1;
    PreparedStatement ps = c.ps("INSERT INTO spindle_jobs (id, task, queue, state, priority, args, unique_key,"
        + " created_at, run_at, policy_id, trace_context, error, dead_reason, finished_at, finish_seq, expires_at)"
        + " VALUES (?, ?, ?, " + JobRows.code(JobState.DEAD) + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
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
    ps.setString(10, j.traceContext());
    ps.setString(11, FlowControl.badKeyError(Objects.requireNonNull(j.flowKey(), "the bad flow key")));
    ps.setString(12, FlowControl.BAD_FLOW_KEY);
    ps.setLong(13, now);
    ps.setLong(14, seq);
    ps.setLong(15, now);
    ps.setLong(16, policyId);
    ps.executeUpdate();
    setMeta(c, "finish_seq", seq);
    SqliteStatistics.addStats(c, sc.now(), new HashMap<>(Map.of(MinuteStats.DEAD, 1L)));
    return new EnqueueResult(Long.toString(id), true, JobState.DEAD);
  }

  // ---------------------------------------------------------------- claim and complete

  @Override
  public ClaimResult claim(ClaimRequest request) {
    return db.write("claim jobs", c -> claimTx(c, request));
  }

  private ClaimResult claimTx(Db.Conn c, ClaimRequest req) throws SQLException {
    Instant at = clock.instant();
    long now = micros(at);
    PreparedStatement promote = c.ps("UPDATE spindle_jobs SET " + SCHEDULED_TO_QUEUED + " WHERE state = "
        + JobRows.SCHEDULED + " AND run_at <= ?");
    promote.setLong(1, now);
    if (promote.executeUpdate() > 0) {
      flow.readied();
      keyless.clear();
    }
    Map<String, Integer> limits = claimRules(c);
    PreparedStatement takeAny = c.ps("UPDATE spindle_jobs SET " + QUEUED_TO_RUNNING
        + ", worker_id = ?, fence = fence + 1,"
        + " attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE id IN (SELECT id FROM spindle_jobs"
        + " WHERE state = " + JobRows.QUEUED + " AND queue = ? ORDER BY priority DESC, id LIMIT ?) RETURNING "
        + JobRows.CLAIM_COLUMNS);
    List<JobInfo> claimed = new ArrayList<>();
    long[] flowNext = {Long.MAX_VALUE}; // the earliest time a flow rule that held a key lifts (us)
    Map<Integer, Long> stats = new HashMap<>();
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
        available = Math.min(available, limit - runningIn(c, q));
        if (available <= 0) {
          continue;
        }
      }
      List<JobInfo> part = new ArrayList<>();
      Long keylessAt = keyless.get(q);
      boolean plain = keylessAt != null && System.nanoTime() - keylessAt < KEYLESS_TTL_NANOS;
      int keyed = plain ? -1 : SqlFlow.claimKeyed(c, flow, q, available, now, key -> {
        PreparedStatement one = c.ps(key == null ? TAKE_UNKEYED : TAKE_KEYED);
        one.setString(1, req.workerId());
        one.setLong(2, now);
        one.setString(3, q);
        if (key != null) {
          one.setString(4, key);
        }
        try (ResultSet rs = one.executeQuery()) {
          if (!rs.next()) {
            return null;
          }
          JobInfo j = JobRows.readClaimed(rs, req.workerId(), req.now(), id -> policy(c, id));
          part.add(j);
          stats.merge(MinuteStats.WAIT_BASE + MinuteStats.bucket(Duration.between(j.runAt(), at)), 1L,
              Long::sum);
          return j;
        }
      }, flowNext);
      if (keyed < 0 && !plain) {
        keyless.put(q, System.nanoTime());
      }
      if (keyed < 0) {
        PreparedStatement take = plain ? c.ps(TAKE_PLAIN) : takeAny;
        take.setString(1, req.workerId());
        take.setLong(2, now);
        take.setString(3, q);
        take.setInt(4, available);
        try (ResultSet rs = take.executeQuery()) {
          while (rs.next()) {
            JobInfo j = JobRows.readClaimed(rs, req.workerId(), req.now(), id -> policy(c, id));
            part.add(j);
            stats.merge(MinuteStats.WAIT_BASE + MinuteStats.bucket(Duration.between(j.runAt(), at)), 1L,
                Long::sum);
          }
        }
      }
      part.sort(Comparator.comparingInt(JobInfo::priority).reversed()
          .thenComparingLong(j -> Long.parseLong(j.id())));
      claimed.addAll(part);
      remaining -= part.size();
    }
    if (!claimed.isEmpty()) {
      stats.put(MinuteStats.STARTED, (long) claimed.size());
      SqliteStatistics.addStats(c, at, stats);
    }
    Instant next = null;
    if (remaining > 0) {
      PreparedStatement ps = c.ps("SELECT run_at FROM spindle_jobs WHERE state = " + JobRows.SCHEDULED
          + " ORDER BY run_at LIMIT 1");
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          next = JobRows.instant(rs.getLong(1));
        }
      }
    }
    if (flowNext[0] != Long.MAX_VALUE && (next == null || JobRows.micros(next) > flowNext[0])) {
      next = JobRows.instant(flowNext[0]);
    }
    return new ClaimResult(claimed, next);
  }

  /** Queue limits, with -1 for paused queues, in one query. */
  private static Map<String, Integer> claimRules(Db.Conn c) throws SQLException {
    Map<String, Integer> m = new HashMap<>();
    try (ResultSet rs = c.ps("SELECT name, max_running FROM spindle_queues UNION ALL SELECT queue, -1 FROM"
        + " spindle_paused").executeQuery()) {
      while (rs.next()) {
        m.merge(rs.getString(1), rs.getInt(2), Math::min);
      }
    }
    return m;
  }

  private static int runningIn(Db.Conn c, String queue) throws SQLException {
    PreparedStatement ps = c.ps("SELECT count(*) FROM spindle_jobs WHERE state = " + JobRows.RUNNING
        + " AND queue = ?");
    ps.setString(1, queue);
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    if (completions.isEmpty()) {
      return List.of();
    }
    List<Boolean> r = db.write("complete " + completions.size() + " job(s)", c -> completeTx(c, completions, now));
    flowEnded(completions);
    listeners.fire();
    return r;
  }

  @Override
  public Exchange completeAndClaim(List<Completion> completions, @Nullable ClaimRequest request, Instant now) {
    if (completions.isEmpty() && request == null) {
      return new Exchange(List.of(), ClaimResult.empty());
    }
    Exchange ex = db.write("complete and claim", c -> {
      List<Boolean> applied = completions.isEmpty() ? List.of() : completeTx(c, completions, now);
      ClaimResult claim = request == null ? ClaimResult.empty() : claimTx(c, request);
      return new Exchange(applied, claim);
    });
    if (!completions.isEmpty()) {
      flowEnded(completions);
      listeners.fire();
    }
    return ex;
  }

  /** Tells flow control which jobs left RUNNING here, and that released or retried ones are ready. */
  private void flowEnded(List<Completion> completions) {
    for (Completion x : completions) {
      flow.ended(x.jobId());
      if (x.outcome() == Completion.Outcome.RELEASED || x.outcome() == Completion.Outcome.RETRY) {
        flow.readied();
        keyless.clear();
      }
    }
  }

  private List<Boolean> completeTx(Db.Conn c, List<Completion> completions, Instant nowInstant)
      throws SQLException {
    if (completions.size() <= SMALL_BATCH) {
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
    long now = micros(sc.now());
    long seq = meta(c, "finish_seq");
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
      if (k.outcome() == Completion.Outcome.SUCCEEDED
          && tooLarge(Objects.requireNonNull(k.resultJson(), "the result of a SUCCEEDED completion"))) {
        PayloadException pe = new PayloadException("the result of job " + k.jobId() + " is larger than the "
            + "store's limit of " + settings.maxPayloadBytes + " bytes; return a reference instead of the data");
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
          long at = micros(sc.translate(Objects.requireNonNull(k.retryAt(), "retryAt of a RETRY completion")));
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
    setMeta(c, "finish_seq", seq);
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

  // ---------------------------------------------------------------- workers (see SqlWorkers)

  @Override
  public HeartbeatResult heartbeat(WorkerRecord reported) {
    return workers.heartbeat(reported);
  }

  @Override
  public void deregisterWorker(String workerId, Instant callerNow) {
    workers.deregisterWorker(workerId, callerNow);
  }

  @Override
  public List<JobInfo> reclaimExpired(Instant callerNow, int limit) {
    return workers.reclaimExpired(callerNow, limit);
  }

  // ---------------------------------------------------------------- schedules (see SqlSchedules)

  @Override
  public ScheduleRecord saveSchedule(ScheduleRecord s) {
    return schedules.saveSchedule(s);
  }

  @Override
  public boolean deleteSchedule(String name) {
    return schedules.deleteSchedule(name);
  }

  @Override
  public List<ScheduleRecord> schedules() {
    return schedules.schedules();
  }

  @Override
  public List<ScheduleRecord> dueSchedules(Instant now, int limit) {
    return schedules.dueSchedules(now, limit);
  }

  @Override
  public boolean fireSchedule(String name, long expectedVersion, Instant nextFireAt, @Nullable Instant firedTick,
      List<NewJob> jobs) {
    Map<JobPolicy, Long> created = new HashMap<>();
    boolean fired = db.write("fire schedule " + name, c -> {
      created.clear();
      PreparedStatement ps = c.ps("UPDATE spindle_schedules SET next_fire_at = ?, last_fire_at = ?,"
          + " version = version + 1 WHERE name = ? AND version = ?");
      ps.setLong(1, micros(nextFireAt));
      if (firedTick == null) {
        ps.setNull(2, java.sql.Types.INTEGER);
      } else {
        ps.setLong(2, micros(firedTick));
      }
      ps.setString(3, name);
      ps.setLong(4, expectedVersion);
      if (ps.executeUpdate() == 0) {
        return false;
      }
      if (!jobs.isEmpty()) {
        insert(c, jobs, created);
      }
      return true;
    });
    if (fired) {
      policyIds.committed(created);
      listeners.fire();
    }
    return fired;
  }

  // ---------------------------------------------------------------- retention (see SqlRetention)

  @Override
  public int purgeExpired(Instant callerNow, RetentionLimits limits) {
    return retention.purgeExpired(callerNow, limits);
  }

  // ---------------------------------------------------------------- change signal

  @Override
  public Subscription subscribe(Runnable onChange) {
    Subscription s = listeners.add(onChange);
    poller.start();
    return s;
  }

  @Override
  public String describe() {
    return "sqlite:" + file;
  }

  /** This store itself: it is its own inspector. */
  @Override
  public JobInspector inspector() {
    return this;
  }

  @Override
  public QueueControl control() {
    return this;
  }

  @Override
  public AuditLog auditLog() {
    return this;
  }

  @Override
  public FlowControl flow() {
    return flow;
  }

  @Override
  public JobStatistics statistics() {
    return this;
  }

  /** Everything in one read transaction: one store call per dashboard tick. */
  @Override
  public LiveView liveView(LiveView.Request r) {
    return db.read("read the live view", c -> {
      long cursor = meta(c, "finish_seq");
      FinishedBatch feed = r.feedAfter() < 0 ? new FinishedBatch(List.of(), cursor)
          : finishedIn(c, r.feedAfter(), r.feedLimit());
      return new LiveView(inspector.workersIn(c), control.pausedIn(c), feed, cursor,
          r.statsFrom().isBefore(r.statsTo()) ? statistics.minutesIn(c, r.statsFrom(), r.statsTo()) : List.of(),
          r.counts() ? inspector.summariesIn(c) : null, r.counts() ? statistics.oldestIn(c) : null);
    });
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    poller.close();
    listeners.clear();
    db.close();
  }

  // ---------------------------------------------------------------- JobInspector (see SqlInspector)

  @Override
  public List<JobInfo> listJobs(JobFilter f) {
    return inspector.listJobs(f);
  }

  @Override
  public Map<String, Instant> oldestReady() {
    return inspector.oldestReady();
  }

  @Override
  public List<QueueSummary> queueSummaries() {
    return inspector.queueSummaries();
  }

  @Override
  public List<WorkerRecord> workers() {
    return inspector.workers();
  }

  @Override
  public JobInfo requeue(String jobId, Instant callerNow) {
    return inspector.requeue(jobId, callerNow);
  }

  @Override
  public List<DependencyEdge> dependencyEdges(String jobId) {
    return inspector.dependencyEdges(jobId);
  }

  @Override
  public int purge(JobFilter filter) {
    return inspector.purge(filter);
  }

  @Override
  public void setQueueLimit(String queue, int maxRunning) {
    inspector.setQueueLimit(queue, maxRunning);
  }

  @Override
  public Map<String, Integer> queueLimits() {
    return inspector.queueLimits();
  }

  // ---------------------------------------------------------------- queue control, audit (see SqlControl)

  @Override
  public void pauseQueue(String queue) {
    control.pauseQueue(queue);
  }

  @Override
  public void resumeQueue(String queue) {
    control.resumeQueue(queue);
  }

  @Override
  public Set<String> pausedQueues() {
    return control.pausedQueues();
  }

  @Override
  public int requeueMatching(JobFilter filter, Instant callerNow) {
    return control.requeueMatching(filter, callerNow);
  }

  @Override
  public int cancelMatching(JobFilter filter, Instant callerNow) {
    return control.cancelMatching(filter, callerNow);
  }

  @Override
  public DeleteResult deleteJob(String jobId) {
    return control.deleteJob(jobId);
  }

  @Override
  public boolean pauseSchedule(String name) {
    return control.pauseSchedule(name);
  }

  @Override
  public boolean resumeSchedule(String name) {
    return control.resumeSchedule(name);
  }

  @Override
  public Set<String> pausedSchedules() {
    return control.pausedSchedules();
  }

  @Override
  public void appendAudit(AuditRecord r) {
    control.appendAudit(r);
  }

  @Override
  public List<AuditRecord> recentAudit(int limit) {
    return control.recentAudit(limit);
  }

  // ---------------------------------------------------------------- statistics (see SqlStatistics)

  @Override
  public List<MinuteStats> minutes(Instant from, Instant to) {
    return statistics.minutes(from, to);
  }

  @Override
  public Optional<Instant> oldestWaiting() {
    return statistics.oldestWaiting();
  }

  @Override
  public String toString() {
    return "SqliteJobStore[" + file + ", " + settings.durability + "]";
  }

  /** Validates settings as they are given. Not thread-safe. */
  public static final class Builder {
    private final Path file;
    private Duration busyTimeout = Duration.ofSeconds(10);
    private Durability durability = Durability.NORMAL;
    private long maxDatabaseBytes;
    private int maxPayloadBytes = 16 << 20;
    private Duration wakeupInterval = Duration.ofMillis(2);
    private boolean requirePrivate;
    private Clock clock = HostClock.INSTANCE;

    private Builder(Path file) {
      this.file = Objects.requireNonNull(file, "file");
    }

    /**
     * The store's clock, on which leases, heartbeats, due times and expiry are read, whatever the
     * callers' clocks say. Default: {@link HostClock} (the host kernel's real-time clock, shared by
     * every process of the host). Tests give a manual clock.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long a write waits for a lock held by another process before failing with BUSY. */
    public Builder busyTimeout(Duration timeout) {
      if (Objects.requireNonNull(timeout, "timeout").isNegative()) {
        throw new IllegalArgumentException("busyTimeout must not be negative: " + timeout);
      }
      this.busyTimeout = timeout;
      return this;
    }

    /** How hard commits are flushed. */
    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    /**
     * Caps the database size (SQLite {@code max_page_count}); a write that would exceed it fails like
     * a full disk. 0 = no cap.
     */
    public Builder maxDatabaseBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxDatabaseBytes must be >= 0: " + bytes);
      }
      this.maxDatabaseBytes = bytes;
      return this;
    }

    /** The largest argument or result stored, in UTF-8 bytes. */
    public Builder maxPayloadBytes(int bytes) {
      if (bytes < 16) {
        throw new IllegalArgumentException("maxPayloadBytes must be >= 16: " + bytes);
      }
      this.maxPayloadBytes = bytes;
      return this;
    }

    /** How often idle listeners poll for commits of other processes (1 ms - 1 s). */
    public Builder wakeupInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("wakeupInterval must be within 1 ms .. 1 s: " + interval);
      }
      this.wakeupInterval = interval;
      return this;
    }

    /**
     * Whether to refuse a database that other users can read (default false: a warning is logged).
     * New stores are always created private: directories 0700, files 0600.
     */
    public Builder requirePrivate(boolean require) {
      this.requirePrivate = require;
      return this;
    }

    /**
     * Opens the store, creating the file, its directory and the schema if needed.
     *
     * @throws StoreException if it cannot be opened (the message says why)
     */
    public SqliteJobStore open() {
      return new SqliteJobStore(new Settings(file, busyTimeout, durability, maxDatabaseBytes, maxPayloadBytes,
          wakeupInterval, requirePrivate, clock));
    }
  }
}
