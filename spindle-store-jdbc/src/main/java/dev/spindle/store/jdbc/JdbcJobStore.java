package dev.spindle.store.jdbc;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.AttemptLedger;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.FlowAdmin;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.IncidentLog;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.LiveView;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.queue.store.ChangeListeners;
import dev.spindle.store.jdbc.internal.SqlAttempts;
import dev.spindle.store.jdbc.internal.SqlBatchedWrites;
import dev.spindle.store.jdbc.internal.SqlClaims;
import dev.spindle.store.jdbc.internal.SqlCompletions;
import dev.spindle.store.jdbc.internal.SqlControl;
import dev.spindle.store.jdbc.internal.SqlDb;
import dev.spindle.store.jdbc.internal.SqlDependencies;
import dev.spindle.store.jdbc.internal.SqlDurable;
import dev.spindle.store.jdbc.internal.SqlEnqueue;
import dev.spindle.store.jdbc.internal.SqlFlow;
import dev.spindle.store.jdbc.internal.SqlIncidents;
import dev.spindle.store.jdbc.internal.SqlInspector;
import dev.spindle.store.jdbc.internal.SqlJobEnds;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import dev.spindle.store.jdbc.internal.SqlPolicies;
import dev.spindle.store.jdbc.internal.SqlProgress;
import dev.spindle.store.jdbc.internal.SqlRetention;
import dev.spindle.store.jdbc.internal.SqlSchedules;
import dev.spindle.store.jdbc.internal.SqlStatistics;
import dev.spindle.store.jdbc.internal.SqlStoreHost;
import dev.spindle.store.jdbc.internal.SqlWorkers;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job store on a SQL database: the SQL store engine assembled once. Every {@code JobStore} and
 * {@code StoreAdmin} method of every SQL store lives here; a database's module supplies the parts
 * that differ and gets the rest. The SQLite and PostgreSQL stores are subclasses that add their
 * settings and opening; a new database can use {@link #builder} directly.
 *
 * <p><b>What a dialect module supplies</b> (through the {@link Builder}):
 *
 * <ul>
 *   <li>the {@link JdbcDialect} (SQL fragments, error classes, writers and batching) and the schema
 *       its tables follow, created or migrated before the store is built;
 *   <li>the connection discipline ({@code SqlDb}: one writer plus readers, or a pool), its
 *       transactions retried as the dialect classifies errors; the store closes it;
 *   <li>the store's clock (the host's or the database server's), and optionally a {@link ChangeFeed}
 *       that wakes idle workers of other processes (polling, LISTEN/NOTIFY);
 *   <li>how jobs are numbered as they finish and statistics are counted ({@code
 *       SqlJobEnds.Numbering}) and how far the finished feed may be read ({@link
 *       Builder#finishCursor}); how job rows are inserted ({@code SqlEnqueue.Rows}); the claim
 *       statements ({@code SqlClaims.Store}); how a call's completions are written where the
 *       dialect batches them as column arrays ({@code SqlCompletions.Writes}; JDBC batches are the
 *       engine's own);
 *   <li>optionally: where trace contexts are kept, a retention of its own (default {@code
 *       SqlRetention}), the transaction lock of a flow key for concurrent claims, a check before
 *       each heartbeat, and its description.
 * </ul>
 *
 * <p>Completions and a claim in one call ({@link #completeAndClaim}) share one transaction where
 * the dialect has one writer; with a pool they are two transactions (a completion releases flow
 * permits and a claim takes them: in one transaction two workers could each hold a key row the
 * other's claim needs).
 *
 * <p>Thread-safe.
 *
 * @param <C> the connection type of the dialect's connection discipline
 */
public class JdbcJobStore<C extends JdbcConn> implements StoreBackend {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcJobStore.class);

  /**
   * How a store tells idle workers of other processes about commits and learns of theirs.
   * Implementations are thread-safe.
   */
  public interface ChangeFeed extends AutoCloseable {
    /** None: only this process's listeners are woken. */
    ChangeFeed NONE = new ChangeFeed() {
      @Override
      public void start() {}

      @Override
      public void close() {}
    };

    /** Starts watching for other processes' commits (idempotent): the first subscription calls it. */
    void start();

    /** After a commit of this process that changed jobs, queues or schedules. Default: nothing. */
    default void signal() {}

    /** Stops watching. Idempotent. */
    @Override
    void close();
  }

  private final JdbcDialect dialect;
  private final SqlDb<C> db;
  private final Clock clock;
  private final ChangeFeed feed;
  private final ChangeListeners listeners;
  private final String describe;
  private final SqlPolicies policies;
  private final SqlJobEnds.Numbering<C> numbering;
  private final SqlDb.Work<C, Long> finishCursor;
  private final SqlJobEnds<C> ends;
  private final SqlDependencies<C> deps;
  private final SqlStoreHost<C> host;
  private final SqlInspector<C> inspector;
  private final SqlControl<C> control;
  private final SqlStatistics<C> statistics;
  private final SqlSchedules<C> schedules;
  private final SqlWorkers<C> workers;
  private final SqlFlow<C> flow;
  private final SqlEnqueue<C> enqueuer;
  private final SqlClaims<C> claims;
  private final SqlCompletions<C> completions;
  private final SqlCompletions.Writes<C> writes;
  private final Retention retention;
  private final SqlDurable<C> durable;
  private final SqlAttempts<C> attempts;
  private final SqlProgress<C> progress;
  private final SqlIncidents<C> incidentLog;
  private final Runnable beforeHeartbeat;
  private final String finishedSql;
  private volatile boolean closed;

  /** Assembles the engine from {@code b}'s parts (validated by {@link Builder#build}). */
  protected JdbcJobStore(Builder<C> b) {
    b.check();
    this.dialect = b.dialect;
    this.db = b.db;
    this.clock = b.clock;
    this.feed = b.feed;
    this.listeners = b.listeners;
    this.describe = b.describe != null ? b.describe : dialect.name();
    this.policies = new SqlPolicies(dialect);
    this.numbering = Objects.requireNonNull(b.numbering);
    this.finishCursor = Objects.requireNonNull(b.finishCursor);
    this.deps = new SqlDependencies<>(dialect, (c, id, error, now) -> finish(c, id, JobState.WAITING,
        JobState.CANCELLED, now, error, null, SqlJobRows.RESULT_TTL));
    this.ends = new SqlJobEnds<>(numbering, deps);
    SqlClaims.Store<C> takes = Objects.requireNonNull(b.claims);
    String jobColumns = b.traceContextColumn == null ? SqlJobRows.COLUMNS : SqlJobRows.columns(b.traceContextColumn);
    SqlJobRows.TraceContextReader traces = takes.traceContexts();
    this.host = new SqlStoreHost<>() {
      @Override
      public JobInfo row(C c, ResultSet rs) throws SQLException {
        return SqlJobRows.read(rs, id -> policies.get(c, id), traces);
      }

      @Override
      public String jobColumns() {
        return jobColumns;
      }

      @Override
      public void finish(C c, long id, JobState from, JobState to, Instant now, @Nullable String error,
          @Nullable String deadReason, String ttl) throws SQLException {
        JdbcJobStore.this.finish(c, id, from, to, now, error, deadReason, ttl);
      }

      @Override
      public void changed() {
        takes.readied(); // retried, revived, reclaimed or released jobs keep their ids
        JdbcJobStore.this.changed();
      }
    };
    this.flow = new SqlFlow<>(db, dialect, clock, this::changed, b.flowKeyLock);
    this.attempts = new SqlAttempts<>(db, dialect, AttemptLedger.DEFAULT_KEEP);
    this.inspector = new SqlInspector<>(db, dialect, clock, host, deps, attempts);
    this.schedules = new SqlSchedules<>(db, dialect, host);
    this.control = new SqlControl<>(db, dialect, clock, host, inspector, attempts);
    this.statistics = new SqlStatistics<>(db);
    this.workers = new SqlWorkers<>(db, dialect, clock, host, attempts);
    // jobs become ready: queues skipped as held are looked at again
    this.enqueuer = new SqlEnqueue<>(db, dialect, Objects.requireNonNull(b.inserts), host, clock, policies, deps,
        b.maxPayloadBytes, this::changed, flow::readied);
    this.claims = new SqlClaims<>(flow, policies, takes);
    this.completions = new SqlCompletions<>(clock, deps, numbering, b.maxPayloadBytes, attempts);
    this.writes = b.completions != null ? b.completions : new SqlBatchedWrites<>(dialect, numbering);
    SqlRetention<C> plain = new SqlRetention<>(db, dialect, clock);
    this.retention = b.retention != null ? b.retention : plain::purgeExpired;
    this.durable = new SqlDurable<>(db, dialect, clock, host, attempts);
    this.progress = new SqlProgress<>(db, dialect);
    this.incidentLog = new SqlIncidents<>(db, dialect);
    this.beforeHeartbeat = b.beforeHeartbeat;
    this.finishedSql = "SELECT " + jobColumns + " FROM " + dialect.allJobs() + " WHERE " + SqlJobRows.IS_TERMINAL
        + " AND finish_seq > ? AND finish_seq <= ? ORDER BY finish_seq LIMIT ?";
  }

  /**
   * A builder of a store on {@code db}, a connection discipline for {@code dialect}'s database
   * whose schema is current; the store's time is read on {@code clock}.
   */
  public static <C extends JdbcConn> Builder<C> builder(JdbcDialect dialect, SqlDb<C> db, Clock clock) {
    return new Builder<>(dialect, db, clock);
  }

  // ---------------------------------------------------------------- for the dialect modules

  /** The connection discipline. */
  protected final SqlDb<C> db() {
    return db;
  }

  /** The enqueue path, for a dialect's enqueue inside a caller's transaction. */
  protected final SqlEnqueue<C> enqueuer() {
    return enqueuer;
  }

  /** The durable side, for a dialect's step records inside a caller's transaction. */
  protected final SqlDurable<C> durableEngine() {
    return durable;
  }

  /** The job policies' ids and cache. */
  protected final SqlPolicies policies() {
    return policies;
  }

  /** Jobs became ready through this process outside the store's own calls (a caller's transaction). */
  protected final void readied() {
    flow.readied();
    claims.store().readied();
  }

  /** After a commit that changed the store: this process's listeners now, other processes by the feed. */
  protected final void changed() {
    listeners.fire();
    feed.signal();
  }

  /** {@link SqlJobEnds#finish}: one job to a terminal state, in the caller's transaction. */
  private void finish(C c, long id, JobState from, JobState to, Instant now, @Nullable String error,
      @Nullable String deadReason, String ttl) throws SQLException {
    ends.finish(c, id, from, to, now, error, deadReason, ttl);
  }

  // ---------------------------------------------------------------- enqueue

  @Override
  public List<EnqueueResult> enqueue(List<NewJob> jobs) {
    List<EnqueueResult> r = enqueuer.enqueue(jobs);
    flow.readied();
    claims.store().enqueued(jobs, r);
    return r;
  }

  @Override
  public List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    return enqueuer.addChildren(parentId, fence, jobs, exits);
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Instant storeTime() {
    return clock.instant();
  }

  /** A job by id, wherever the store keeps it ({@link SqlInspector#find}). */
  @Override
  public Optional<JobInfo> find(String jobId) {
    return inspector.find(jobId);
  }

  @Override
  public FinishedBatch finishedAfter(long cursor, int limit) {
    return db.read("read finished jobs", c -> finishedIn(c, cursor, limit, finishCursor.run(c)));
  }

  /** The feed's safe horizon: every finish number up to it is final. */
  @Override
  public long finishCursor() {
    return db.read("read the finish cursor", finishCursor);
  }

  /**
   * The feed after {@code cursor} up to the horizon {@code upTo}. The next cursor is the last job's
   * number when the page is full, else the horizon (numbers of rolled-back transactions or deleted
   * jobs are skipped).
   */
  private FinishedBatch finishedIn(C c, long cursor, int limit, long upTo) throws SQLException {
    if (upTo <= cursor) {
      return new FinishedBatch(List.of(), cursor);
    }
    PreparedStatement ps = c.ps(finishedSql);
    ps.setLong(1, cursor);
    ps.setLong(2, upTo);
    ps.setInt(3, limit);
    List<JobInfo> out = new ArrayList<>();
    long last = cursor;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        JobInfo j = host.row(c, rs);
        out.add(j);
        last = j.finishSeq();
      }
    }
    return new FinishedBatch(out, out.size() < limit ? upTo : last);
  }

  /** Everything in one read transaction: one store call per dashboard tick. */
  @Override
  public LiveView liveView(LiveView.Request r) {
    return db.read("read the live view", c -> {
      long cursor = finishCursor.run(c);
      FinishedBatch feedPage = r.feedAfter() < 0 ? new FinishedBatch(List.of(), cursor)
          : finishedIn(c, r.feedAfter(), r.feedLimit(), cursor);
      return new LiveView(inspector.workersIn(c), control.pausedIn(c), feedPage, cursor,
          r.statsFrom().isBefore(r.statsTo()) ? statistics.minutesIn(c, r.statsFrom(), r.statsTo()) : List.of(),
          r.counts() ? inspector.summariesIn(c) : null, r.counts() ? statistics.oldestIn(c) : null);
    });
  }

  // ---------------------------------------------------------------- claim and complete

  @Override
  public CancelResult cancel(String jobId, Instant callerNow) {
    return control.cancel(jobId);
  }

  @Override
  public ClaimResult claim(ClaimRequest request) {
    return db.write("claim jobs", c -> claimIn(c, request));
  }

  private ClaimResult claimIn(C c, ClaimRequest request) throws SQLException {
    return claims.claim(c, request, clock.instant(), numbering);
  }

  @Override
  public List<Boolean> complete(List<Completion> done, Instant now) {
    if (done.isEmpty()) {
      return List.of();
    }
    String operation = "complete " + done.size() + " job(s)";
    List<Boolean> r;
    try {
      r = db.write(operation, c -> completions.complete(c, done, now, writes.start(c, false)));
    } catch (StoreException e) {
      if (!writes.runsAgain(e)) {
        throw e;
      }
      r = db.write(operation, c -> completions.complete(c, done, now, writes.start(c, true)));
    }
    ended(done);
    return r;
  }

  @Override
  public Exchange completeAndClaim(List<Completion> done, @Nullable ClaimRequest request, Instant now) {
    if (done.isEmpty() && request == null) {
      return new Exchange(List.of(), ClaimResult.empty());
    }
    if (dialect.writers() == JdbcDialect.Writers.ONE_WRITER) {
      Exchange ex = db.write("complete and claim", c -> {
        List<Boolean> applied = done.isEmpty() ? List.of()
            : completions.complete(c, done, now, writes.start(c, false));
        return new Exchange(applied, request == null ? ClaimResult.empty() : claimIn(c, request));
      });
      if (!done.isEmpty()) {
        ended(done);
      }
      return ex;
    }
    if (request == null) {
      return new Exchange(complete(done, now), ClaimResult.empty());
    }
    if (done.isEmpty()) {
      return new Exchange(List.of(), claim(request));
    }
    List<Boolean> applied = complete(done, now);
    try {
      return new Exchange(applied, claim(request));
    } catch (StoreException e) {
      // the completions are committed: thrown, their flags were lost, and the worker's retry of them
      // was fenced off; the claim is made again by the worker's next call, which reports the error
      // if it persists
      LOG.warn("the claim after {} saved completion(s) failed; the next claim tries again: {}", done.size(),
          e.getMessage());
      return new Exchange(applied, ClaimResult.empty());
    }
  }

  /**
   * After completions committed: the writer's follow-up, flow control told which jobs left RUNNING
   * here (released or retried ones are ready again), and the change signalled.
   */
  private void ended(List<Completion> done) {
    writes.afterCommit();
    for (Completion x : done) {
      flow.ended(x.jobId());
      if (x.outcome() == Completion.Outcome.RELEASED || x.outcome() == Completion.Outcome.RETRY) {
        readied();
      }
    }
    changed();
  }

  // ---------------------------------------------------------------- workers

  /** Renews the worker's registration and lease, after the dialect's check (a replaced file fails it). */
  @Override
  public HeartbeatResult heartbeat(WorkerRecord reported) {
    beforeHeartbeat.run();
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

  // ---------------------------------------------------------------- schedules

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

  /** The schedule moves on and its jobs are added in one transaction. */
  @Override
  public boolean fireSchedule(String name, long expectedVersion, Instant nextFireAt, @Nullable Instant firedTick,
      List<NewJob> jobs) {
    return schedules.fire(name, expectedVersion, nextFireAt, firedTick, jobs, policies, enqueuer::insert);
  }

  // ---------------------------------------------------------------- retention, signal, roles

  @Override
  public int purgeExpired(Instant callerNow, RetentionLimits limits) {
    int deleted = retention.purgeExpired(callerNow, limits);
    if (deleted > 0) {
      durable.sweep(); // the step and signal rows of the jobs it deleted
      progress.sweep(); // their progress rows and log lines
    }
    return deleted;
  }

  @Override
  public Subscription subscribe(Runnable onChange) {
    Subscription s = listeners.add(onChange);
    feed.start();
    return s;
  }

  @Override
  public String describe() {
    return describe;
  }

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

  /** Step records, timers, signals and memoized results in the store's own tables ({@code SqlDurable}). */
  @Override
  public Optional<DurableStore> durable() {
    return Optional.of(durable);
  }

  /** Progress and log lines in the store's own tables ({@code SqlProgress}). */
  @Override
  public Optional<dev.spindle.queue.spi.ProgressStore> progress() {
    return Optional.of(progress);
  }

  @Override
  public Optional<AttemptLedger> attempts() {
    return Optional.of(attempts);
  }

  @Override
  public Optional<FlowAdmin> flowAdmin() {
    return Optional.of(flow);
  }

  /** Incidents in the store's {@code spindle_incidents} table ({@code SqlIncidents}). */
  @Override
  public Optional<IncidentLog> incidents() {
    return Optional.of(incidentLog);
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

  /** Stops the feed, forgets the listeners, closes the connections. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    feed.close();
    listeners.clear();
    db.close();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + describe + "]";
  }

  /** A dialect's retention of finished jobs, when it has one of its own (else {@code SqlRetention}'s). */
  @FunctionalInterface
  public interface Retention {
    /** {@link dev.spindle.queue.spi.JobStore#purgeExpired}. */
    int purgeExpired(Instant callerNow, RetentionLimits limits);
  }

  /**
   * The parts of a {@link JdbcJobStore}, validated as they are given and together by {@link #build}.
   * Not thread-safe.
   *
   * @param <C> the connection type
   */
  public static final class Builder<C extends JdbcConn> {
    private final JdbcDialect dialect;
    private final SqlDb<C> db;
    private final Clock clock;
    private ChangeFeed feed = ChangeFeed.NONE;
    private ChangeListeners listeners = new ChangeListeners();
    private @Nullable String describe;
    private int maxPayloadBytes = 16 << 20;
    private @Nullable String traceContextColumn;
    private SqlJobEnds.@Nullable Numbering<C> numbering;
    private SqlDb.@Nullable Work<C, Long> finishCursor;
    private SqlEnqueue.@Nullable Rows<C> inserts;
    private SqlClaims.@Nullable Store<C> claims;
    private SqlCompletions.@Nullable Writes<C> completions;
    private @Nullable Retention retention;
    private @Nullable String flowKeyLock;
    private Runnable beforeHeartbeat = () -> {};

    private Builder(JdbcDialect dialect, SqlDb<C> db, Clock clock) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      this.db = Objects.requireNonNull(db, "db");
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The feed that wakes other processes and is woken by them (default {@link ChangeFeed#NONE}). */
    public Builder<C> feed(ChangeFeed feed) {
      this.feed = Objects.requireNonNull(feed, "feed");
      return this;
    }

    /** The listeners the store fires, when the feed was made with them (default: new ones). */
    public Builder<C> listeners(ChangeListeners listeners) {
      this.listeners = Objects.requireNonNull(listeners, "listeners");
      return this;
    }

    /** The store's location for {@link JdbcJobStore#describe}, without secrets (default: the dialect's name). */
    public Builder<C> describe(String describe) {
      this.describe = Objects.requireNonNull(describe, "describe");
      return this;
    }

    /** The largest argument or result stored, in UTF-8 bytes (at least 16; default 16 MiB). */
    public Builder<C> maxPayloadBytes(int bytes) {
      if (bytes < 16) {
        throw new IllegalArgumentException("maxPayloadBytes must be >= 16: " + bytes);
      }
      this.maxPayloadBytes = bytes;
      return this;
    }

    /**
     * The SQL expression that reads a job's trace context in a statement on {@code spindle_jobs},
     * where it is not that table's {@code trace_context} column (read as the claim statements'
     * {@code traceContexts} reads it).
     */
    public Builder<C> traceContextColumn(String expression) {
      this.traceContextColumn = Objects.requireNonNull(expression, "expression");
      return this;
    }

    /** How finished jobs are numbered and statistics counted (required). */
    public Builder<C> numbering(SqlJobEnds.Numbering<C> numbering) {
      this.numbering = Objects.requireNonNull(numbering, "numbering");
      return this;
    }

    /**
     * Reads, in a transaction, the finished feed's safe horizon: every finish number up to it is
     * final (required).
     */
    public Builder<C> finishCursor(SqlDb.Work<C, Long> cursor) {
      this.finishCursor = Objects.requireNonNull(cursor, "cursor");
      return this;
    }

    /** How job rows are inserted (required). */
    public Builder<C> inserts(SqlEnqueue.Rows<C> rows) {
      this.inserts = Objects.requireNonNull(rows, "rows");
      return this;
    }

    /** The claim statements and what precedes them (required). */
    public Builder<C> claims(SqlClaims.Store<C> claims) {
      this.claims = Objects.requireNonNull(claims, "claims");
      return this;
    }

    /**
     * How a call's completions are written: required with {@link JdbcDialect.Batching#ARRAY_ROUNDS};
     * with {@link JdbcDialect.Batching#STATEMENT_BATCHES} by default a JDBC batch per outcome
     * ({@code SqlBatchedWrites}).
     */
    public Builder<C> completions(SqlCompletions.Writes<C> writes) {
      this.completions = Objects.requireNonNull(writes, "writes");
      return this;
    }

    /** A retention of the dialect's own (default: {@code SqlRetention}). */
    public Builder<C> retention(Retention retention) {
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /**
     * A query with one parameter (a flow key) that tries a transaction lock on the key without
     * waiting and returns whether it got it, used where claims run concurrently ({@link
     * JdbcDialect.Writers#POOL}) instead of {@link JdbcDialect#tryLockFlowKey}.
     */
    public Builder<C> flowKeyLock(String sql) {
      this.flowKeyLock = Objects.requireNonNull(sql, "sql");
      return this;
    }

    /** Runs before every heartbeat; may throw a {@link StoreException} that stops the worker. */
    public Builder<C> beforeHeartbeat(Runnable check) {
      this.beforeHeartbeat = Objects.requireNonNull(check, "check");
      return this;
    }

    /**
     * Checks that every required part was given.
     *
     * @throws IllegalStateException naming the first part missing
     */
    void check() {
      String missing = numbering == null ? "numbering" : finishCursor == null ? "finishCursor"
          : inserts == null ? "inserts" : claims == null ? "claims"
          : completions == null && dialect.batching() == JdbcDialect.Batching.ARRAY_ROUNDS ? "completions" : null;
      if (missing != null) {
        throw new IllegalStateException("a " + dialect.name() + " job store needs its " + missing);
      }
    }

    /**
     * The store.
     *
     * @throws IllegalStateException if a required part is missing
     */
    public JdbcJobStore<C> build() {
      return new JdbcJobStore<>(this);
    }
  }
}
