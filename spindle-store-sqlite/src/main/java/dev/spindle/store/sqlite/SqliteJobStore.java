package dev.spindle.store.sqlite;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.ChangeListeners;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.FlowAdmin;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.LiveView;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.jdbc.internal.SqlControl;
import dev.spindle.store.jdbc.internal.SqlDependencies;
import dev.spindle.store.jdbc.internal.SqlEnqueue;
import dev.spindle.store.jdbc.internal.SqlFlow;
import dev.spindle.store.jdbc.internal.SqlInspector;
import dev.spindle.store.jdbc.internal.SqlJobEnds;
import dev.spindle.store.jdbc.internal.SqlPolicies;
import dev.spindle.store.jdbc.internal.SqlRetention;
import dev.spindle.store.jdbc.internal.SqlSchedules;
import dev.spindle.store.jdbc.internal.SqlStatistics;
import dev.spindle.store.jdbc.internal.SqlStoreHost;
import dev.spindle.store.jdbc.internal.SqlWorkers;
import dev.spindle.store.sqlite.internal.ChangePoller;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.HostClock;
import dev.spindle.store.sqlite.internal.JobRows;
import dev.spindle.store.sqlite.internal.SqliteDialect;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 *       (WARN) or refused ({@link Builder#requirePrivate}); one that another user owns or can write
 *       (or whose directory they can) is refused.
 *   <li>A file deleted or replaced while open is noticed at the next worker heartbeat: every call
 *       then fails with {@link StoreException.Reason#REPLACED}.
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
public final class SqliteJobStore implements StoreBackend {
  /** How hard commits are flushed to disk. */
  public enum Durability {
    /** {@code synchronous=NORMAL}: safe against process crashes; the fastest. */
    NORMAL,
    /** {@code synchronous=FULL}: every commit is fsynced; safe against power loss. */
    FULL
  }

  private final Path file;
  private final SqliteSettings settings;
  private final Db db;
  /** The store's one clock (the host's kernel clock by default): leases, due times, expiry. */
  private final Clock clock;
  private final SqlPolicies policyIds = new SqlPolicies(SqliteDialect.INSTANCE);
  private final ChangeListeners listeners = new ChangeListeners();
  private final ChangePoller poller;
  private final SqlDependencies<Db.Conn> deps = new SqlDependencies<>(SqliteDialect.INSTANCE, (c, id, error, now) ->
      finish(c, id, JobState.WAITING, JobState.CANCELLED, now, error, null, JobRows.RESULT_TTL));
  private volatile boolean closed;
  private final SqlInspector<Db.Conn> inspector;
  private final SqlControl<Db.Conn> control;
  private final SqlStatistics<Db.Conn> statistics;
  private final SqlSchedules<Db.Conn> schedules;
  private final SqlRetention<Db.Conn> retention;
  private final SqlWorkers<Db.Conn> workers;
  private final SqlFlow<Db.Conn> flow;
  private final SqliteClaims claims;

  private final SqlEnqueue<Db.Conn> enqueuer;
  private final SqliteCompletions completer;
  private final SqlJobEnds<Db.Conn> ends;
  private final SqliteReads reads;

  private SqliteJobStore(SqliteSettings b) {
    this.settings = b;
    this.file = b.path();
    this.clock = b.clock();
    this.db = b.openDatabase();
    this.poller = new ChangePoller(db, b.wakeupInterval().toNanos(), listeners);
    SqlStoreHost<Db.Conn> host = new SqlStoreHost<>() {
      @Override
      public JobInfo row(Db.Conn c, ResultSet rs) throws SQLException {
        return SqliteJobStore.this.row(c, rs);
      }

      @Override
      public String jobColumns() {
        return JobRows.COLUMNS;
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
    this.schedules = new SqlSchedules<>(db, dialect, host);
    this.control = new SqlControl<>(db, dialect, clock, host);
    this.statistics = new SqlStatistics<>(db);
    this.retention = new SqlRetention<>(db, dialect, clock);
    this.workers = new SqlWorkers<>(db, dialect, clock, host);
    this.flow = new SqlFlow<>(db, SqliteDialect.INSTANCE, clock, listeners::fire, null);
    this.ends = new SqlJobEnds<>(new SqliteJobEnds(), deps);
    this.enqueuer = new SqlEnqueue<>(db, dialect, new SqliteEnqueue(this), host, clock, policyIds, deps,
        b.maxPayloadBytes(), listeners::fire);
    this.completer = new SqliteCompletions(clock, deps, b.maxPayloadBytes());
    this.reads = new SqliteReads(db, host, inspector, control, statistics);
    this.claims = new SqliteClaims(clock, flow, policyIds);
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
    return settings.durability();
  }

  /** For tests: how many calls were moved off virtual threads onto platform threads. */
  public long offloadedCalls() {
    return db.offloadedCalls();
  }

  // ---------------------------------------------------------------- policies

  private JobPolicy policy(Db.Conn c, long id) throws SQLException {
    return policyIds.get(c, id);
  }

  static long micros(Instant t) {
    return JobRows.micros(t);
  }

  JobInfo row(Db.Conn c, ResultSet rs) throws SQLException {
    return JobRows.read(rs, id -> policy(c, id));
  }

  // ---------------------------------------------------------------- enqueue (see SqliteEnqueue)

  @Override
  public List<EnqueueResult> enqueue(List<NewJob> jobs) {
    return enqueuer.enqueue(jobs);
  }

  @Override
  public List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    return enqueuer.addChildren(parentId, fence, jobs, exits);
  }

  /**
   * Before jobs are inserted (in the inserting transaction): flow control learns that jobs become
   * ready, and the claim stops taking the queues of keyed ones without looking for keys.
   */
  void inserting(List<NewJob> jobs) {
    flow.readied();
    for (NewJob j : jobs) {
      if (j.flowKey() != null) {
        claims.keyedJobAdded(j.queue());
      }
    }
  }

  // ---------------------------------------------------------------- reads (see SqliteReads)

  @Override
  public Optional<JobInfo> find(String jobId) {
    return inspector.find(jobId);
  }

  @Override
  public FinishedBatch finishedAfter(long cursor, int limit) {
    return reads.finishedAfter(cursor, limit);
  }

  @Override
  public long finishCursor() {
    return reads.finishCursor();
  }

  // ---------------------------------------------------------------- cancel and finish (see SqliteJobEnds)

  @Override
  public CancelResult cancel(String jobId, Instant callerNow) {
    return control.cancel(jobId);
  }

  /** {@link SqlJobEnds#finish}, for dependencies, the enqueue path and the shared SQL collaborators. */
  void finish(Db.Conn c, long id, JobState from, JobState to, Instant now, @Nullable String error,
      @Nullable String deadReason, String ttl) throws SQLException {
    ends.finish(c, id, from, to, now, error, deadReason, ttl);
  }

  // ---------------------------------------------------------------- claim and complete

  @Override
  public ClaimResult claim(ClaimRequest request) {
    return db.write("claim jobs", c -> claims.claimTx(c, request));
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    if (completions.isEmpty()) {
      return List.of();
    }
    List<Boolean> r = db.write("complete " + completions.size() + " job(s)",
        c -> completer.completeTx(c, completions, now));
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
      List<Boolean> applied = completions.isEmpty() ? List.of() : completer.completeTx(c, completions, now);
      ClaimResult claim = request == null ? ClaimResult.empty() : claims.claimTx(c, request);
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
        claims.jobsReadied();
      }
    }
  }

  // ---------------------------------------------------------------- workers (see SqlWorkers)

  /**
   * Renews the worker's registration and lease, as {@link JobStore#heartbeat} describes. First
   * checks that the file is still the one opened ({@link Db#checkFileIdentity}): a store deleted or
   * replaced under a running worker fails with REPLACED, which stops the worker.
   */
  @Override
  public HeartbeatResult heartbeat(WorkerRecord reported) {
    db.checkFileIdentity();
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

  /** The schedule moves on and its jobs are added in one transaction (see {@link SqliteEnqueue}). */
  @Override
  public boolean fireSchedule(String name, long expectedVersion, Instant nextFireAt, @Nullable Instant firedTick,
      List<NewJob> jobs) {
    return schedules.fire(name, expectedVersion, nextFireAt, firedTick, jobs, policyIds, enqueuer::insert);
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

  /** The inspector role ({@link SqlInspector}), shared with the PostgreSQL store. */
  @Override
  public JobInspector inspector() {
    return inspector;
  }

  @Override
  public QueueControl control() {
    return control;
  }

  @Override
  public AuditLog auditLog() {
    return control;
  }

  @Override
  public Optional<FlowControl> flow() {
    return Optional.of(flow);
  }

  @Override
  public Optional<FlowAdmin> flowAdmin() {
    return Optional.of(flow);
  }

  @Override
  public Optional<JobStatistics> statistics() {
    return Optional.of(statistics);
  }

  /** Sets a queue's limit through the inspector role, which reads them. */
  @Override
  public void setQueueLimit(String queue, int maxRunning) {
    inspector.setQueueLimit(queue, maxRunning);
  }

  /** Everything in one read transaction: one store call per dashboard tick. */
  @Override
  public LiveView liveView(LiveView.Request r) {
    return reads.liveView(r);
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

  @Override
  public String toString() {
    return "SqliteJobStore[" + file + ", " + settings.durability() + "]";
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
    private boolean createIfMissing = true;
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
     * Whether {@link #open()} creates a missing store (default true). False for code that only reads
     * (the CLI's status, jobs and list commands): a missing or empty file then fails with
     * {@link StoreException.Reason#NOT_FOUND} and nothing (no directory, no file) is created.
     */
    public Builder createIfMissing(boolean create) {
      this.createIfMissing = create;
      return this;
    }

    /**
     * Opens the store, creating the file, its directory and the schema if needed (and allowed by
     * {@link #createIfMissing}).
     *
     * @throws StoreException if it cannot be opened (the message says why): NOT_FOUND if it is
     *     missing and must not be created; CANNOT_OPEN if it or its directory belongs to another
     *     user or others can write it
     */
    public SqliteJobStore open() {
      return new SqliteJobStore(new SqliteSettings(file, busyTimeout, durability, maxDatabaseBytes, maxPayloadBytes,
          wakeupInterval, requirePrivate, !createIfMissing, clock));
    }
  }
}
