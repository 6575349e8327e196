package dev.spindle.store.mariadb;

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
import dev.spindle.store.jdbc.internal.SqlJobRows;
import dev.spindle.store.jdbc.internal.SqlPolicies;
import dev.spindle.store.jdbc.internal.SqlRetention;
import dev.spindle.store.jdbc.internal.SqlSchedules;
import dev.spindle.store.jdbc.internal.SqlStatistics;
import dev.spindle.store.jdbc.internal.SqlStoreHost;
import dev.spindle.store.jdbc.internal.SqlWorkers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The MariaDB job store (10.6 or later, InnoDB): every operation is one short READ COMMITTED
 * transaction on a pooled connection (HikariCP, Connector/J), so any number of worker processes on
 * any number of hosts share one queue. The SQL engine of spindle-store-jdbc does the work through
 * {@link MariaDbDialect}; this class adds the pool, the schema ({@link MariaDbSchema}, migrated on
 * open, a newer one refused), claims by {@code FOR UPDATE SKIP LOCKED}, finish numbers that commit
 * in order, the server's clock, a polling change feed for other processes' writes, and
 * transactional enqueue on the caller's connection ({@link #jdbcEnqueue()}).
 *
 * <p>Settings and defaults: {@link Builder#maxConnections} 8, {@link Builder#pollInterval} 20 ms,
 * {@link Builder#maxPayloadBytes} 16 MiB, {@link Builder#clock} the server's. Credentials never
 * appear in {@link #describe()}, messages or logs. Thread-safe. Open with a {@link Builder} or
 * {@code JobStores.open("mariadb://host/db?user=u")} ({@link MariaDbJobStoreProvider}).
 */
public final class MariaDbJobStore implements StoreBackend {
  private static final MariaDbDialect DIALECT = MariaDbDialect.INSTANCE;

  private final String describe;
  private final MariaDbDb db;
  private final Clock clock;
  private final SqlPolicies policies = new SqlPolicies(DIALECT);
  private final ChangeListeners listeners = new ChangeListeners();
  private final MariaDbChanges changes;
  private final SqlDependencies<MariaDbDb.Conn> deps = new SqlDependencies<>(DIALECT,
      (c, id, error, now) -> finish(c, id, JobState.WAITING, JobState.CANCELLED, now, error, null,
          SqlJobRows.RESULT_TTL));
  private final MariaDbFinishes finishes = new MariaDbFinishes(policies);
  private final SqlJobEnds<MariaDbDb.Conn> ends = new SqlJobEnds<>(finishes, deps);
  private final SqlEnqueue<MariaDbDb.Conn> enqueuer;
  private final SqlInspector<MariaDbDb.Conn> inspector;
  private final SqlControl<MariaDbDb.Conn> control;
  private final SqlStatistics<MariaDbDb.Conn> statistics;
  private final SqlSchedules<MariaDbDb.Conn> schedules;
  private final SqlRetention<MariaDbDb.Conn> retention;
  private final SqlFlow<MariaDbDb.Conn> flow;
  private final SqlWorkers<MariaDbDb.Conn> workers;
  private final MariaDbClaims claims;
  private final MariaDbCompletions completions;
  private final MariaDbJdbcEnqueue jdbcEnqueue;
  private volatile boolean closed;

  private MariaDbJobStore(Builder b) {
    this.describe = b.describe();
    this.db = new MariaDbDb(describe, b.url(), b.properties(), b.maxConnections);
    try {
      db.read("create or migrate the schema", c -> {
        c.jdbc().setAutoCommit(true); // DDL commits anyway; the pool resets auto-commit when it takes the connection back
        try {
          return MariaDbSchema.migrate(c.jdbc(), describe);
        } finally {
          c.jdbc().setAutoCommit(false);
        }
      });
      this.clock = b.clock != null ? b.clock : new MariaDbClock(db);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    SqlStoreHost<MariaDbDb.Conn> host = new SqlStoreHost<>() {
      @Override
      public JobInfo row(MariaDbDb.Conn c, ResultSet rs) throws SQLException {
        return SqlJobRows.read(rs, id -> policies.get(c, id));
      }

      @Override
      public void finish(MariaDbDb.Conn c, long id, JobState from, JobState to, Instant now, @Nullable String error,
          @Nullable String deadReason, String ttl) throws SQLException {
        MariaDbJobStore.this.finish(c, id, from, to, now, error, deadReason, ttl);
      }

      @Override
      public void changed() {
        MariaDbJobStore.this.changed();
      }
    };
    this.changes = new MariaDbChanges(db, b.pollInterval.toNanos(), listeners);
    this.enqueuer = new SqlEnqueue<>(db, DIALECT, new MariaDbEnqueue(), host, clock, policies, deps, b.maxPayloadBytes,
        this::changed);
    this.inspector = new SqlInspector<>(db, DIALECT, clock, host, deps);
    this.control = new SqlControl<>(db, DIALECT, clock, host);
    this.statistics = new SqlStatistics<>(db);
    this.schedules = new SqlSchedules<>(db, DIALECT, host);
    this.retention = new SqlRetention<>(db, DIALECT, clock);
    this.workers = new SqlWorkers<>(db, DIALECT, clock, host);
    // a key's rotation row is locked FOR UPDATE SKIP LOCKED by SqlFlow; MariaDB has no transaction-scoped
    // named lock, so the key lock itself always succeeds
    this.flow = new SqlFlow<>(db, DIALECT, clock, this::changed, "SELECT ? IS NOT NULL");
    this.claims = new MariaDbClaims(clock, flow, policies);
    this.completions = new MariaDbCompletions(clock, deps, finishes, b.maxPayloadBytes);
    this.jdbcEnqueue = new MariaDbJdbcEnqueue(enqueuer, db, policies, flow::readied, describe);
  }

  /** A builder for the store on {@code host:port/database} as {@code user}. */
  public static Builder builder(String host, int port, String database, String user) {
    return new Builder(host, port, database, user);
  }

  private void changed() {
    listeners.fire();
  }

  private void finish(MariaDbDb.Conn c, long id, JobState from, JobState to, Instant now, @Nullable String error,
      @Nullable String deadReason, String ttl) throws SQLException {
    ends.finish(c, id, from, to, now, error, deadReason, ttl);
  }

  @Override
  public Instant storeTime() {
    return clock.instant();
  }

  @Override
  public List<EnqueueResult> enqueue(List<NewJob> jobs) {
    List<EnqueueResult> r = enqueuer.enqueue(jobs);
    flow.readied();
    return r;
  }

  /**
   * Transactional enqueue: the jobs are written through the caller's connection inside its open
   * transaction, so they exist if and only if it commits ({@link MariaDbJdbcEnqueue}).
   */
  @Override
  public Optional<JdbcEnqueue> jdbcEnqueue() {
    return Optional.of(jdbcEnqueue);
  }

  /** {@link #jdbcEnqueue()}'s enqueue on {@code connection}, inside its open transaction. */
  public List<EnqueueResult> enqueue(Connection connection, List<NewJob> jobs) {
    return jdbcEnqueue.enqueue(connection, jobs);
  }

  @Override
  public List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    return enqueuer.addChildren(parentId, fence, jobs, exits);
  }

  @Override
  public Optional<JobInfo> find(String jobId) {
    return inspector.find(jobId);
  }

  @Override
  public FinishedBatch finishedAfter(long cursor, int limit) {
    return db.read("read finished jobs", c -> finishes.finishedIn(c, cursor, limit));
  }

  /** The last finish number committed: every number up to it is visible. */
  @Override
  public long finishCursor() {
    return db.read("read the finish cursor", c -> MariaDbFinishes.lastTaken(c, false));
  }

  @Override
  public CancelResult cancel(String jobId, Instant callerNow) {
    return control.cancel(jobId);
  }

  @Override
  public ClaimResult claim(ClaimRequest request) {
    return db.write("claim jobs", c -> claims.claimTx(c, request));
  }

  @Override
  public List<Boolean> complete(List<Completion> list, Instant now) {
    if (list.isEmpty()) {
      return List.of();
    }
    List<Boolean> r = db.write("complete " + list.size() + " job(s)", c -> completions.completeTx(c, list, now));
    for (Completion x : list) {
      flow.ended(x.jobId());
      if (x.outcome() == Completion.Outcome.RELEASED || x.outcome() == Completion.Outcome.RETRY) {
        flow.readied();
      }
    }
    changed();
    return r;
  }

  /**
   * The completions, then the claim, in two transactions: the finish numbers' lock is held only as
   * long as the completions take, and no claim waits for a key row a completion holds.
   */
  @Override
  public Exchange completeAndClaim(List<Completion> list, @Nullable ClaimRequest request, Instant now) {
    List<Boolean> applied = complete(list, now);
    if (request == null) {
      return new Exchange(applied, ClaimResult.empty());
    }
    try {
      return new Exchange(applied, claim(request));
    } catch (StoreException e) {
      if (list.isEmpty()) {
        throw e;
      }
      return new Exchange(applied, ClaimResult.empty()); // the completions are committed; the next call claims
    }
  }

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

  @Override
  public int purgeExpired(Instant callerNow, RetentionLimits limits) {
    int purged = retention.purgeExpired(callerNow, limits);
    if (purged > 0) { // the deleted jobs' own dependency and wait rows (no trigger may delete them)
      db.update("delete the purged jobs' dependencies", c -> {
        c.ps("DELETE FROM spindle_deps WHERE NOT EXISTS (SELECT 1 FROM spindle_jobs j WHERE j.id = spindle_deps.child)")
            .executeUpdate();
        c.ps("DELETE FROM spindle_waits WHERE NOT EXISTS (SELECT 1 FROM spindle_jobs j WHERE j.id = spindle_waits.id)")
            .executeUpdate();
      });
    }
    return purged;
  }

  @Override
  public Subscription subscribe(Runnable onChange) {
    Subscription s = listeners.add(onChange);
    changes.start();
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

  @Override
  public Optional<FlowAdmin> flowAdmin() {
    return Optional.of(flow);
  }

  @Override
  public Optional<JobStatistics> statistics() {
    return Optional.of(statistics);
  }

  @Override
  public void setQueueLimit(String queue, int maxRunning) {
    inspector.setQueueLimit(queue, maxRunning);
  }

  /** Everything in one read transaction: one store call per dashboard tick. */
  @Override
  public LiveView liveView(LiveView.Request r) {
    return db.read("read the live view", c -> {
      long cursor = MariaDbFinishes.lastTaken(c, false);
      FinishedBatch feed = r.feedAfter() < 0 ? new FinishedBatch(List.of(), cursor)
          : finishes.finishedIn(c, r.feedAfter(), r.feedLimit());
      return new LiveView(inspector.workersIn(c), control.pausedIn(c), feed, cursor,
          r.statsFrom().isBefore(r.statsTo()) ? statistics.minutesIn(c, r.statsFrom(), r.statsTo()) : List.of(),
          r.counts() ? inspector.summariesIn(c) : null, r.counts() ? statistics.oldestIn(c) : null);
    });
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      changes.close();
      listeners.clear();
      db.close();
    }
  }

  @Override
  public String toString() {
    return "MariaDbJobStore[" + describe + "]";
  }

  /** Validates settings as they are given. Not thread-safe. */
  public static final class Builder {
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private @Nullable String password;
    private int maxConnections = 8;
    private Duration pollInterval = Duration.ofMillis(20);
    private int maxPayloadBytes = 16 << 20;
    private @Nullable Clock clock;
    private final Properties options = new Properties();

    private Builder(String host, int port, String database, String user) {
      if (port <= 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 1..65535: " + port);
      }
      if (!database.matches("[A-Za-z0-9_$]{1,64}")) {
        throw new IllegalArgumentException("database must be a plain name (letters, digits, _, $): " + database);
      }
      this.host = host;
      this.port = port;
      this.database = database;
      this.user = user;
    }

    /** The password (from the environment or a password file; never put it in a location string). */
    public Builder password(@Nullable String password) {
      this.password = password;
      return this;
    }

    /** The most pooled connections (1-100; default 8). */
    public Builder maxConnections(int n) {
      if (n < 1 || n > 100) {
        throw new IllegalArgumentException("maxConnections must be within 1..100: " + n);
      }
      this.maxConnections = n;
      return this;
    }

    /** How often other processes' writes are looked for (1 ms - 1 s; default 20 ms). */
    public Builder pollInterval(Duration interval) {
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

    /** The store's clock (default: the server's); tests give a manual clock. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** A Connector/J connection property ({@code sslMode}, {@code connectTimeout}, ...). */
    public Builder option(String key, String value) {
      options.setProperty(key, value);
      return this;
    }

    String describe() {
      return "mariadb://" + host + ":" + port + "/" + database;
    }

    String url() {
      return "jdbc:mariadb://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
    }

    Properties properties() {
      Properties p = new Properties();
      p.setProperty("user", user);
      if (password != null) {
        p.setProperty("password", password);
      }
      p.setProperty("useBulkStmts", "false"); // exact counts per batched update: completions are fenced by them
      p.putAll(options);
      return p;
    }

    /**
     * Connects, creates or migrates the schema, and opens the store.
     *
     * @throws StoreException if it cannot be opened (the message says why, without the password)
     */
    public MariaDbJobStore open() {
      return new MariaDbJobStore(this);
    }
  }
}
