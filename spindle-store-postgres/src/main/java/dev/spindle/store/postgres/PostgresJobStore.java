package dev.spindle.store.postgres;

import dev.spindle.queue.JobInfo;
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
import dev.spindle.queue.spi.JdbcEnqueue;
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
import dev.spindle.store.jdbc.internal.SqlControl;
import dev.spindle.store.jdbc.internal.SqlDependencies;
import dev.spindle.store.jdbc.internal.SqlEnqueue;
import dev.spindle.store.jdbc.internal.SqlFlow;
import dev.spindle.store.jdbc.internal.SqlInspector;
import dev.spindle.store.jdbc.internal.SqlJobEnds;
import dev.spindle.store.jdbc.internal.SqlPolicies;
import dev.spindle.store.jdbc.internal.SqlSchedules;
import dev.spindle.store.jdbc.internal.SqlStatistics;
import dev.spindle.store.jdbc.internal.SqlStoreHost;
import dev.spindle.store.jdbc.internal.SqlWorkers;
import dev.spindle.store.postgres.internal.ChangeFeed;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.DbClock;
import dev.spindle.store.postgres.internal.FinishHorizon;
import dev.spindle.store.postgres.internal.JobRows;
import dev.spindle.store.postgres.internal.PostgresDialect;
import dev.spindle.store.postgres.internal.Schema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL job store: every operation is one short transaction on a pooled connection
 * (HikariCP, pgjdbc), so any number of worker processes on any number of hosts share one queue.
 *
 * <ul>
 *   <li>Claims lock ready rows with {@code FOR UPDATE SKIP LOCKED} along the partial index
 *       {@code (queue, priority DESC, id) WHERE state = QUEUED}: concurrent workers never wait for
 *       each other's rows and never scan finished jobs.
 *   <li>Leases, due times and expiry are read on the server's clock ({@link DbClock}: the offset of
 *       {@code clock_timestamp()} measured every few seconds); tests inject a clock instead.
 *   <li>Every completion is fenced (fence, worker, state); completions of one call are applied by
 *       one batched statement per outcome, and released dependents in the same transaction.
 *   <li>Idle workers are woken by a coalesced {@code NOTIFY} on one dedicated LISTEN connection,
 *       with a fallback poll of at most 1 s; {@link Builder#listenNotify(boolean)} turns NOTIFY off for
 *       PgBouncer in transaction pooling mode (then a cheap poll).
 *   <li>Transactional enqueue: {@link #enqueue(Connection, List)} adds jobs in the caller's open
 *       transaction, so a rollback leaves no job.
 *   <li>The schema is versioned ({@link Schema}): migrated forward on open, a newer one refused.
 *   <li>Credentials never appear in {@link #describe()}, messages or logs.
 * </ul>
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link Builder#schema}</td><td>the user's default ({@code search_path})</td></tr>
 *   <tr><td>{@link Builder#maxConnections}</td><td>8</td></tr>
 *   <tr><td>{@link Builder#listenNotify(boolean)}</td><td>true</td></tr>
 *   <tr><td>{@link Builder#pollInterval}</td><td>1 s with NOTIFY, 50 ms without</td></tr>
 *   <tr><td>{@link Builder#maxPayloadBytes}</td><td>16 MiB per argument or result</td></tr>
 * </table>
 *
 * <p>Thread-safe. Open with a {@link Builder} or {@code JobStores.open("postgres://host/db?user=u")}
 * (see {@link PostgresJobStoreProvider}).
 */
public final class PostgresJobStore implements StoreBackend {
  // The SET clauses of set-based moves, checked against JobState's table when the class loads.
  private static final String RESULT_TTL = JobRows.RESULT_TTL;

  private final PostgresSettings settings;
  private final String describe;
  private final Db db;
  /** The store's one clock (the server's by default): leases, due times, expiry. */
  private final Clock clock;
  private final SqlPolicies policies = new SqlPolicies(PostgresDialect.INSTANCE);
  private final ChangeListeners listeners = new ChangeListeners();
  private final ChangeFeed feed;
  private final SqlDependencies<Db.Conn> deps = new SqlDependencies<>(PostgresDialect.INSTANCE,
      (c, id, error, now) -> finish(c, id, JobState.WAITING, JobState.CANCELLED, now, error, null, RESULT_TTL));
  private final SqlEnqueue<Db.Conn> enqueuer;
  private final PostgresJdbcEnqueue jdbcEnqueue;
  private final SqlInspector<Db.Conn> inspector;
  private final SqlControl<Db.Conn> control;
  private final SqlStatistics<Db.Conn> statistics;
  private final SqlSchedules<Db.Conn> schedules;
  private final PostgresRetention retention;
  private final SqlFlow<Db.Conn> flow;
  private final SqlWorkers<Db.Conn> workers;
  private final PostgresExchange exchange;
  private final PostgresFinishes finishes;
  private final SqlJobEnds<Db.Conn> ends;
  private final PostgresReads reads;
  private final ClaimPositions positions;
  private volatile boolean closed;

  private PostgresJobStore(PostgresSettings b) {
    this.settings = b;
    this.describe = b.describe();
    this.positions = new ClaimPositions(b.nanoTime());
    PostgresOpening opened = PostgresOpening.open(b, listeners);
    this.db = opened.db();
    this.clock = opened.clock();
    FinishHorizon horizon = opened.horizon();
    this.feed = opened.feed();
    SqlStoreHost<Db.Conn> host = new SqlStoreHost<>() {
      @Override
      public JobInfo row(Db.Conn c, ResultSet rs) throws SQLException {
        return PostgresJobStore.this.row(c, rs);
      }

      @Override
      public void finish(Db.Conn c, long id, JobState from, JobState to, Instant now, @Nullable String error,
          @Nullable String deadReason, String ttl) throws SQLException {
        PostgresJobStore.this.finish(c, id, from, to, now, error, deadReason, ttl);
      }

      @Override
      public void changed() {
        positions.readied(); // retried, revived, reclaimed or released jobs keep their ids
        PostgresJobStore.this.changed();
      }
    };
    PostgresDialect dialect = PostgresDialect.INSTANCE;
    this.enqueuer = new SqlEnqueue<>(db, dialect, new PostgresEnqueue(), host, clock, policies, deps,
        b.maxPayloadBytes(), this::changed);
    HistoryPartitions history = new HistoryPartitions(db, clock);
    boolean moving = Duration.ZERO.equals(b.archiveAfter());
    this.finishes = new PostgresFinishes(horizon, policies);
    PostgresCompletions completer = new PostgresCompletions(clock, deps, b.maxPayloadBytes(), horizon,
        moving ? history : null, positions, finishes);
    this.inspector = new SqlInspector<>(db, dialect, clock, host, deps);
    this.schedules = new SqlSchedules<>(db, dialect, host);
    this.control = new SqlControl<>(db, dialect, clock, host);
    this.statistics = new SqlStatistics<>(db);
    this.retention = new PostgresRetention(db, clock, b.archiveAfter(), history, horizon, b.nanoTime());
    if (moving) {
      history.prepare(); // the days successes move into from the first completion
    }
    this.workers = new SqlWorkers<>(db, dialect, clock, host);
    // concurrent claims take turns per flow key: the check and the take of a key are one step; a key
    // another claim holds is skipped, never waited for (no lock-order deadlocks)
    this.flow = new SqlFlow<>(db, dialect, clock, this::changed,
        "SELECT pg_try_advisory_xact_lock(hashtext('spindle-flow:' || current_schema() || ':' || ?))");
    this.exchange = new PostgresExchange(db, new PostgresClaims(clock, flow, policies, positions), completer, flow,
        positions, this::changed);
    this.ends = new SqlJobEnds<>(finishes, deps);
    this.reads = new PostgresReads(db, horizon, finishes, inspector, control, statistics);
    this.jdbcEnqueue = new PostgresJdbcEnqueue(enqueuer, db, policies, feed, b.schema(), () -> {
      flow.readied();
      positions.readied();
    }, describe);
  }

  /**
   * The schema version found at a location and the statements that opening a store there would run.
   *
   * @param describe the location without secrets
   * @param found the version found (0: no schema yet)
   * @param current the version this code writes
   * @param pending the migration statements from {@code found} to {@code current}, in order (empty
   *     when current, or when the schema is newer: opening then refuses it)
   */
  public record SchemaStatus(String describe, int found, int current, List<String> pending) {
    /** Copies the statements. */
    public SchemaStatus {
      pending = List.copyOf(pending);
    }
  }

  /** A builder for the store on {@code host:port/database} as {@code user}. */
  public static Builder builder(String host, int port, String database, String user) {
    return new Builder(host, port, database, user);
  }

  @Override
  public Instant storeTime() {
    return clock.instant();
  }

  /** The schema the store's tables live in, or null for the user's default. */
  public @Nullable String schema() {
    return settings.schema();
  }

  /** Whether idle workers are woken by NOTIFY (else by polling). */
  public boolean notifying() {
    return feed.notifying();
  }

  /** How many times a LISTEN/NOTIFY notification (not the fallback poll) woke this store's listeners. */
  long wakeUpsByNotification() {
    return feed.wakeUpsByNotification();
  }

  /** After a commit that changed the store: this process's listeners now, other processes by NOTIFY. */
  private void changed() {
    listeners.fire();
    feed.signal();
  }

  // ---------------------------------------------------------------- rows

  JobInfo row(Db.Conn c, ResultSet rs) throws SQLException {
    return JobRows.read(rs, id -> policies.get(c, id));
  }

  // ---------------------------------------------------------------- enqueue (see PostgresEnqueue)

  @Override
  public List<EnqueueResult> enqueue(List<NewJob> jobs) {
    List<EnqueueResult> r = enqueuer.enqueue(jobs);
    flow.readied();
    positions.enqueued(jobs, r);
    return r;
  }

  /**
   * Transactional enqueue: adds jobs through the caller's connection, inside its open transaction
   * (auto-commit off), so the jobs exist if and only if that transaction commits; a rollback leaves
   * no job. Workers are woken by a NOTIFY sent in the same transaction (PostgreSQL delivers it at
   * commit), or by the poll when NOTIFY is off. The connection must reach the store's database; the
   * store's schema is used for these statements only (the caller's {@code search_path} is restored).
   * Job policies are recorded beforehand in a transaction of the store's own (harmless if the
   * caller rolls back). The statements run under a savepoint: when the call fails, nothing of it is
   * left in the caller's transaction (no row, the caller's {@code search_path}). A unique key that
   * another transaction adds at the same moment makes the call fail: retry the business transaction.
   *
   * @return one result per job, in order
   * @throws IllegalStateException if the connection is in auto-commit mode
   * @throws IllegalArgumentException if a dependency does not exist (nothing was added)
   * @throws StoreException if a statement fails (nothing was added; the caller's transaction should roll back)
   */
  public List<EnqueueResult> enqueue(Connection connection, List<NewJob> jobs) {
    return jdbcEnqueue.enqueue(connection, jobs);
  }

  /** {@link #enqueue(Connection, List)}, as the store SPI's role for {@code JobQueue} and the Spring starter. */
  @Override
  public Optional<JdbcEnqueue> jdbcEnqueue() {
    return Optional.of(jdbcEnqueue);
  }

  @Override
  public List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    return enqueuer.addChildren(parentId, fence, jobs, exits);
  }

  // ---------------------------------------------------------------- reads (see PostgresReads)

  /** A job by id, wherever it is: the hot table or the history ({@link SqlInspector#find}). */
  @Override
  public Optional<JobInfo> find(String jobId) {
    return inspector.find(jobId);
  }

  @Override
  public FinishedBatch finishedAfter(long cursor, int limit) {
    return reads.finishedAfter(cursor, limit);
  }

  /** The feed's safe horizon ({@link FinishHorizon}): every finish number up to it is final. */
  @Override
  public long finishCursor() {
    return reads.finishCursor();
  }

  // ---------------------------------------------------------------- cancel

  @Override
  public CancelResult cancel(String jobId, Instant callerNow) {
    return control.cancel(jobId);
  }


  /** Moves one job to a terminal state ({@link SqlJobEnds#finish}). */
  void finish(Db.Conn c, long id, JobState from, JobState to, Instant now, @Nullable String error,
      @Nullable String deadReason, String ttl) throws SQLException {
    ends.finish(c, id, from, to, now, error, deadReason, ttl);
  }

  // ---------------------------------------------------------------- claim and complete (see PostgresExchange)

  @Override
  public ClaimResult claim(ClaimRequest request) {
    return exchange.claim(request);
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    return exchange.complete(completions, now);
  }

  @Override
  public Exchange completeAndClaim(List<Completion> completions, @Nullable ClaimRequest request, Instant now) {
    return exchange.completeAndClaim(completions, request, now);
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
    return schedules.fire(name, expectedVersion, nextFireAt, firedTick, jobs, policies, enqueuer::insert);
  }

  // ---------------------------------------------------------------- retention (see SqlRetention)

  @Override
  public int purgeExpired(Instant callerNow, RetentionLimits limits) {
    return retention.purgeExpired(callerNow, limits);
  }

  /**
   * For tests and tools: moves up to {@code batch} finished jobs older than the archive delay to
   * the history now (retention does this on its own).
   *
   * @return how many moved (0 when archiving is off)
   */
  public int archiveFinished(int batch) {
    return settings.archiveAfter() == null ? 0 : retention.archive(batch);
  }

  // ---------------------------------------------------------------- change signal

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

  /** The inspector role ({@link SqlInspector}), shared with the SQLite store. */
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
    feed.close();
    listeners.clear();
    db.close();
  }

  @Override
  public String toString() {
    return "PostgresJobStore[" + describe + (feed.notifying() ? ", notify" : ", poll") + "]";
  }

  /** Validates settings as they are given. Not thread-safe. */
  public static final class Builder {
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private @Nullable String password;
    private @Nullable String schema;
    private int maxConnections = 8;
    private boolean notify = true;
    private @Nullable Duration pollInterval;
    private int maxPayloadBytes = 16 << 20;
    private @Nullable Clock clock;
    private @Nullable Duration archiveAfter = Duration.ZERO;
    private final Map<String, String> options = new LinkedHashMap<>();
    private LongSupplier nanoTime = System::nanoTime;

    private Builder(String host, int port, String database, String user) {
      this.host = Objects.requireNonNull(host, "host");
      if (port <= 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 1..65535: " + port);
      }
      this.port = port;
      this.database = Objects.requireNonNull(database, "database");
      this.user = Objects.requireNonNull(user, "user");
    }

    /** The password (from the environment or a password file; never put it in a location string). */
    public Builder password(@Nullable String password) {
      this.password = password;
      return this;
    }

    /**
     * The schema that holds the store's tables (created if missing); default: the user's
     * {@code search_path}. Stores in different schemas of one database are independent. The name is
     * read as SQL reads an unquoted identifier, in lower case ({@code Jobs} is {@code jobs}), as the
     * connections' {@code search_path} reads it.
     */
    public Builder schema(@Nullable String schema) {
      if (schema != null && !schema.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
        throw new IllegalArgumentException("schema must be a plain identifier (letters, digits, _): " + schema);
      }
      this.schema = schema == null ? null : schema.toLowerCase(java.util.Locale.ROOT);
      return this;
    }

    /** The most pooled connections (1-100; default 8). LISTEN uses one more connection of its own. */
    public Builder maxConnections(int n) {
      if (n < 1 || n > 100) {
        throw new IllegalArgumentException("maxConnections must be within 1..100: " + n);
      }
      this.maxConnections = n;
      return this;
    }

    /**
     * Whether idle workers are woken by LISTEN/NOTIFY (default true). Turn it off behind PgBouncer
     * in transaction pooling mode, where LISTEN does not work: workers then poll.
     */
    public Builder listenNotify(boolean on) {
      this.notify = on;
      return this;
    }

    /**
     * The fallback poll (1 ms - 1 s): with NOTIFY, idle workers re-check at least this often (default
     * 1 s); without, the store looks for changes this often (default 50 ms).
     */
    public Builder pollInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("pollInterval must be within 1 ms .. 1 s: " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /** The largest argument or result stored, in UTF-8 bytes (default 16 MiB). */
    public Builder maxPayloadBytes(int bytes) {
      if (bytes < 16) {
        throw new IllegalArgumentException("maxPayloadBytes must be >= 16: " + bytes);
      }
      this.maxPayloadBytes = bytes;
      return this;
    }

    /**
     * The store's clock, on which leases, heartbeats, due times and expiry are read. Default: the
     * server's clock ({@link DbClock}). Tests give a manual clock.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How long a finished job stays in the hot table before retention moves it to the history
     * (default 0); null keeps finished jobs in the hot table until they expire. The history is
     * partitioned by expiry day: whole days of expired jobs are dropped as tables. With 0 a
     * success moves in its completing statement when its expiry day's partition exists (the
     * store creates the days its policies need), and the other finished jobs at the next
     * retention run; jobs that are part of a workflow and jobs kept for no time stay in the hot
     * table.
     */
    public Builder archiveAfter(@Nullable Duration after) {
      if (after != null && after.isNegative()) {
        throw new IllegalArgumentException("archiveAfter must be >= 0: " + after);
      }
      this.archiveAfter = after;
      return this;
    }

    /** A pgjdbc connection property (e.g. {@code sslmode}, {@code connectTimeout}). */
    public Builder option(String key, String value) {
      options.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The monotonic clock of in-process intervals, in nanoseconds (default {@code System::nanoTime}); for tests. */
    Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /**
     * Reads the schema version at this location without changing anything (for {@code spindle
     * migrate --print}).
     *
     * @throws StoreException if the server cannot be reached
     */
    public SchemaStatus schemaStatus() {
      return PostgresOpening.schemaStatus(settings());
    }

    private PostgresSettings settings() {
      return new PostgresSettings(host, port, database, user, password, schema, maxConnections, notify, pollInterval,
          maxPayloadBytes, clock, Map.copyOf(options), archiveAfter, nanoTime);
    }

    /**
     * Connects, creates or migrates the schema, and opens the store.
     *
     * @throws StoreException if it cannot be opened (the message says why, without the password)
     */
    public PostgresJobStore open() {
      return new PostgresJobStore(settings());
    }
  }
}
