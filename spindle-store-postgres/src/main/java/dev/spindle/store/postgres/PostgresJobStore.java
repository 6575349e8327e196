package dev.spindle.store.postgres;

import dev.spindle.PayloadException;
import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
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
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.JdbcEnqueue;
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
import dev.spindle.store.postgres.internal.ChangeFeed;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.DbClock;
import dev.spindle.store.postgres.internal.Dependencies;
import dev.spindle.store.postgres.internal.FilterSql;
import dev.spindle.store.postgres.internal.JobRows;
import dev.spindle.store.postgres.internal.Schema;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

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
public final class PostgresJobStore implements JobStore, JobInspector, QueueControl, AuditLog, JobStatistics {
  private static final String JOB_BY_ID = "SELECT " + JobRows.COLUMNS + " FROM spindle_jobs WHERE id = ?";
  private static final String INSERT_JOB = "INSERT INTO spindle_jobs (id, task, queue, state, priority, args,"
      + " unique_key, created_at, run_at, policy_id, trace_context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String HELD = "fence = ? AND worker_id = ? AND id = ? AND state = " + JobRows.RUNNING;
  // The SET clauses of set-based moves, checked against JobState's table when the class loads.
  private static final String SCHEDULED_TO_QUEUED = JobRows.moveTo(JobState.SCHEDULED, JobState.QUEUED);
  private static final String QUEUED_TO_RUNNING = JobRows.moveTo(JobState.QUEUED, JobState.RUNNING);
  private static final String RUNNING_TO_SUCCEEDED = JobRows.moveTo(JobState.RUNNING, JobState.SUCCEEDED);
  private static final String RUNNING_TO_CANCELLED = JobRows.moveTo(JobState.RUNNING, JobState.CANCELLED);
  private static final String RUNNING_TO_QUEUED = JobRows.moveTo(JobState.RUNNING, JobState.QUEUED);
  private static final String RESULT_TTL = "(SELECT result_ttl_us FROM spindle_policies p WHERE p.id = policy_id)";
  private static final String FAILURE_TTL = "(SELECT failure_ttl_us FROM spindle_policies p WHERE p.id = policy_id)";
  private static final int STAT_SHARDS = 8;
  /** The most delayed jobs one claim makes ready. */
  private static final int PROMOTE_BATCH = 1000;

  private final Settings settings;
  private final String describe;
  private final Db db;
  /** The store's one clock (the server's by default): leases, due times, expiry. */
  private final Clock clock;
  private final ConcurrentHashMap<JobPolicy, Long> policyIds = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, JobPolicy> policies = new ConcurrentHashMap<>();
  private final ChangeListeners listeners = new ChangeListeners();
  private final ChangeFeed feed;
  private final Dependencies deps = new Dependencies((c, id, error, now) ->
      finish(c, id, JobState.WAITING, JobState.CANCELLED, now, error, null, RESULT_TTL));
  private volatile boolean closed;

  /** The settings of an open store: an immutable copy of its {@link Builder}. */
  private record Settings(String host, int port, String database, String user, String password, String schema,
      int maxConnections, boolean notifyOn, Duration pollInterval, int maxPayloadBytes, Clock clock,
      Map<String, String> options) {}

  private PostgresJobStore(Settings b) {
    this.settings = b;
    this.describe = "postgres://" + b.host + ":" + b.port + "/" + b.database + (b.schema == null ? ""
        : "?schema=" + b.schema);
    java.util.Properties props = new java.util.Properties();
    props.setProperty("user", b.user);
    if (b.password != null) {
      props.setProperty("password", b.password);
    }
    props.setProperty("reWriteBatchedInserts", "true");
    props.setProperty("ApplicationName", "spindle");
    props.setProperty("tcpKeepAlive", "true");
    if (b.schema != null) {
      props.setProperty("currentSchema", b.schema);
    }
    props.putAll(b.options);
    // custom plans for every execution: a generic plan of the array joins (sized by the table's
    // statistics, not by the arrays) can turn into a nested loop over every running job per element
    props.setProperty("options", (b.options.getOrDefault("options", "") + " -c plan_cache_mode=force_custom_plan")
        .strip());
    String url = "jdbc:postgresql://" + (b.host.contains(":") ? "[" + b.host + "]" : b.host) + ":" + b.port + "/"
        + b.database;
    if (b.schema != null) {
      createSchema(url, props, b.schema);
    }
    this.db = new Db(describe, url, props, b.maxConnections);
    try {
      int found = db.read("read the schema version", Schema::version);
      if (found != Schema.VERSION) {
        db.write("migrate the schema", c -> Schema.migrate(c, describe));
      }
      this.clock = b.clock != null ? b.clock : new DbClock(db);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    long poll = b.pollInterval != null ? b.pollInterval.toNanos()
        : b.notifyOn ? Duration.ofSeconds(1).toNanos() : Duration.ofMillis(50).toNanos();
    this.feed = new ChangeFeed(db, "spindle_" + (b.schema == null ? "public" : b.schema), b.notifyOn, poll,
        listeners);
  }

  private static void createSchema(String url, java.util.Properties props, String schema) {
    java.util.Properties p = new java.util.Properties();
    p.putAll(props);
    p.remove("currentSchema");
    try (Connection c = java.sql.DriverManager.getConnection(url, p);
         java.sql.Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema.replace("\"", "\"\"") + "\"");
    } catch (SQLException e) {
      if (!"42P06".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
        throw dev.spindle.store.postgres.internal.PgErrors.translate(e, "create schema " + schema,
            "postgres://" + url.substring("jdbc:postgresql://".length()));
      }
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
  public String schema() {
    return settings.schema;
  }

  /** Whether idle workers are woken by NOTIFY (else by polling). */
  public boolean notifying() {
    return feed.notifying();
  }

  /** After a commit that changed the store: this process's listeners now, other processes by NOTIFY. */
  private void changed() {
    listeners.fire();
    feed.signal();
  }

  // ---------------------------------------------------------------- policies

  private long policyId(Db.Conn c, JobPolicy p, Map<JobPolicy, Long> created) throws SQLException {
    Long id = policyIds.get(p);
    if (id == null) {
      id = created.get(p);
    }
    if (id != null) {
      return id;
    }
    String json = p.toJson();
    PreparedStatement ins = c.ps("INSERT INTO spindle_policies (json, max_lost, result_ttl_us,"
        + " failure_ttl_us) VALUES (?, ?, ?, ?) ON CONFLICT (json) DO NOTHING");
    ins.setString(1, json);
    ins.setInt(2, p.maxWorkerLost());
    ins.setLong(3, micros(p.resultTtl()));
    ins.setLong(4, micros(p.failureTtl()));
    ins.executeUpdate();
    PreparedStatement sel = c.ps("SELECT id FROM spindle_policies WHERE json = ?");
    sel.setString(1, json);
    try (ResultSet rs = sel.executeQuery()) {
      rs.next();
      id = rs.getLong(1);
    }
    created.put(p, id);
    return id;
  }

  private JobPolicy policy(Db.Conn c, long id) throws SQLException {
    JobPolicy p = policies.get(id);
    if (p != null) {
      return p;
    }
    PreparedStatement ps = c.ps("SELECT json FROM spindle_policies WHERE id = ?");
    ps.setLong(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("job policy " + id + " is missing from the database");
      }
      p = JobPolicy.fromJson(rs.getString(1));
    }
    policies.put(id, p);
    return p;
  }

  private static long micros(Duration d) {
    if (d.getSeconds() >= Long.MAX_VALUE / 4_000_000L) {
      return Long.MAX_VALUE / 4; // saturate: no stored duration may overflow
    }
    return Math.min(d.toNanos() / 1000, Long.MAX_VALUE / 4);
  }

  private static long micros(Instant t) {
    return JobRows.micros(t);
  }

  private JobInfo row(Db.Conn c, ResultSet rs) throws SQLException {
    return JobRows.read(rs, id -> policy(c, id));
  }

  private static long meta(Db.Conn c, String key) throws SQLException {
    PreparedStatement ps = c.ps("SELECT value FROM spindle_meta WHERE key = ?");
    ps.setString(1, key);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /**
   * Reserves {@code n} finish sequence numbers: the returned value is the last one. The counter's
   * row stays locked until the transaction ends, so feed numbers become visible in order.
   */
  private static long nextSeq(Db.Conn c, int n) throws SQLException {
    PreparedStatement ps = c.ps("UPDATE spindle_meta SET value = value + ? WHERE key = 'finish_seq' RETURNING value");
    ps.setLong(1, n);
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** {@code n} new job ids, ascending. */
  private static long[] newIds(Db.Conn c, int n) throws SQLException {
    PreparedStatement ps = c.ps("SELECT nextval('spindle_job_ids') FROM generate_series(1, ?)");
    ps.setInt(1, n);
    long[] out = new long[n];
    int i = 0;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out[i++] = rs.getLong(1);
      }
    }
    java.util.Arrays.sort(out);
    return out;
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
    policyIds.putAll(created);
    changed();
    return results;
  }

  /**
   * Transactional enqueue: adds jobs through the caller's connection, inside its open transaction
   * (auto-commit off), so the jobs exist if and only if that transaction commits; a rollback leaves
   * no job. Workers are woken by a NOTIFY sent in the same transaction (PostgreSQL delivers it at
   * commit), or by the poll when NOTIFY is off. The connection must reach the store's database; the
   * store's schema is used for these statements only (the caller's {@code search_path} is restored).
   * Job policies are recorded beforehand in a transaction of the store's own (harmless if the
   * caller rolls back). A unique key that another transaction adds at the same moment makes the
   * caller's statement fail (PostgreSQL aborts its transaction): retry the business transaction.
   *
   * @return one result per job, in order
   * @throws IllegalStateException if the connection is in auto-commit mode
   * @throws StoreException if a statement fails (the caller's transaction is then aborted)
   */
  public List<EnqueueResult> enqueue(Connection connection, List<NewJob> jobs) {
    Objects.requireNonNull(connection, "connection");
    if (jobs.isEmpty()) {
      return List.of();
    }
    for (NewJob j : jobs) {
      checkPayload(j.argsJson(), "arguments of task '" + j.task() + "'");
    }
    Workflows.checkBatch(jobs);
    Map<JobPolicy, Long> created = new HashMap<>();
    db.write("record job policies", c -> {
      created.clear();
      for (NewJob j : jobs) {
        policyId(c, j.policy(), created);
      }
      return null;
    });
    policyIds.putAll(created);
    Db.Conn c = new Db.Conn(connection);
    try {
      if (connection.getAutoCommit()) {
        throw new IllegalStateException("transactional enqueue needs a connection inside a transaction"
            + " (setAutoCommit(false)); in auto-commit mode the jobs would be committed at once");
      }
      String saved = null;
      if (settings.schema != null) {
        PreparedStatement get = c.ps("SELECT current_setting('search_path')");
        try (ResultSet rs = get.executeQuery()) {
          rs.next();
          saved = rs.getString(1);
        }
        setSearchPath(c, "\"" + settings.schema + "\"");
      }
      List<EnqueueResult> out = insert(c, jobs, new HashMap<>());
      if (feed.notifying()) {
        PreparedStatement ps = c.ps("SELECT pg_notify(?, '')");
        ps.setString(1, feed.channel());
        ps.execute();
      }
      if (saved != null) {
        setSearchPath(c, saved);
      }
      return out;
    } catch (SQLException e) {
      throw db.translate(e, "enqueue " + jobs.size() + " job(s) in the caller's transaction");
    } finally {
      c.closeStatements();
    }
  }

  /** {@link #enqueue(Connection, List)}, as the store SPI's role for {@code JobQueue} and the Spring starter. */
  @Override
  public Optional<JdbcEnqueue> jdbcEnqueue() {
    return Optional.of(jdbcEnqueue);
  }

  private final JdbcEnqueue jdbcEnqueue = new JdbcEnqueue() {
    @Override
    public boolean reaches(DataSource dataSource) {
      String mine = db.read("identify the database", c -> databaseIdentity(c.jdbc()));
      try (Connection theirs = dataSource.getConnection()) {
        return mine.equals(databaseIdentity(theirs));
      } catch (SQLException e) {
        return false; // not PostgreSQL, or unreachable: not this store's database
      }
    }

    @Override
    public List<EnqueueResult> enqueue(Connection connection, List<NewJob> jobs) {
      return PostgresJobStore.this.enqueue(connection, jobs);
    }

    @Override
    public String toString() {
      return "transactional enqueue of " + describe;
    }
  };

  /**
   * The database a connection reaches: its name and the server's start time (the same server seen
   * over TCP or a Unix socket gives the same pair; two servers practically never do).
   */
  private static String databaseIdentity(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT current_database() || '@' || pg_postmaster_start_time()");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void setSearchPath(Db.Conn c, String path) throws SQLException {
    PreparedStatement ps = c.ps("SELECT set_config('search_path', ?, true)");
    ps.setString(1, path);
    ps.execute();
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
      PreparedStatement ps = c.ps("SELECT state, fence FROM spindle_jobs WHERE id = ? FOR UPDATE");
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
    policyIds.putAll(created);
    changed();
    return results;
  }

  private List<EnqueueResult> insert(Db.Conn c, List<NewJob> jobs, Map<JobPolicy, Long> created)
      throws SQLException {
    return insertWith(c, c.ps(INSERT_JOB), jobs, created, newIds(c, jobs.size()));
  }

  private List<EnqueueResult> insertWith(Db.Conn c, PreparedStatement ins, List<NewJob> jobs,
      Map<JobPolicy, Long> created, long[] ids) throws SQLException {
    int nextId = 0;
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
      long id = ids[nextId++];
      JobState state = j.isDelayed() ? JobState.SCHEDULED : JobState.QUEUED;
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

  private static long parseIdOrNeg(String id) {
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
      PreparedStatement ps = c.ps("SELECT state FROM spindle_jobs WHERE id = ? FOR UPDATE");
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
      changed();
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
  private void finish(Db.Conn c, long id, JobState from, JobState to, Instant now, String error,
      String deadReason, String ttl) throws SQLException {
    JobState.checkTransition(Long.toString(id), from, to);
    PreparedStatement ps = c.ps("UPDATE spindle_jobs SET state = ?, error = coalesce(?, error), dead_reason = ?,"
        + " finished_at = ?, finish_seq = ?, expires_at = ? + " + ttl + ", cancel_requested = 0"
        + " WHERE id = ? AND state = ?");
    long t = micros(now);
    ps.setInt(1, JobRows.code(to));
    ps.setString(2, error);
    ps.setString(3, deadReason);
    ps.setLong(4, t);
    ps.setLong(5, nextSeq(c, 1));
    ps.setLong(6, t);
    ps.setLong(7, id);
    ps.setInt(8, JobRows.code(from));
    if (ps.executeUpdate() == 0) {
      throw new IllegalStateException("job " + id + " was not " + from + " when moved to " + to
          + " although this transaction read it so; the database was changed outside the store");
    }
    addStats(c, now, Map.of(to == JobState.CANCELLED ? MinuteStats.CANCELLED
        : to == JobState.DEAD ? MinuteStats.DEAD : MinuteStats.FAILED, 1L));
    deps.ended(c, id, now);
  }

  /** Adds to this minute's counters (see {@link MinuteStats}), inside the caller's transaction. */
  private static void addStats(Db.Conn c, Instant now, Map<Integer, Long> counters) throws SQLException {
    if (counters.isEmpty()) {
      return;
    }
    PreparedStatement ps = c.ps("INSERT INTO spindle_stats AS s (minute, counter, shard, n)"
        + " SELECT ?, unnest(?::int[]), ?, unnest(?::bigint[])"
        + " ON CONFLICT (minute, counter, shard) DO UPDATE SET n = s.n + excluded.n");
    // counters in a fixed order: two transactions lock a shard's rows in the same order
    TreeMap<Integer, Long> sorted = new TreeMap<>(counters);
    Integer[] keys = sorted.keySet().toArray(new Integer[0]);
    Long[] values = sorted.values().toArray(new Long[0]);
    ps.setLong(1, MinuteStats.minuteOf(now));
    ps.setArray(2, c.jdbc().createArrayOf("int4", keys));
    ps.setInt(3, (int) (Thread.currentThread().threadId() % STAT_SHARDS));
    ps.setArray(4, c.jdbc().createArrayOf("int8", values));
    ps.executeUpdate();
  }

  // ---------------------------------------------------------------- claim and complete

  @Override
  public ClaimResult claim(ClaimRequest request) {
    return db.write("claim jobs", c -> claimTx(c, request));
  }

  private ClaimResult claimTx(Db.Conn c, ClaimRequest req) throws SQLException {
    Instant at = clock.instant();
    long now = micros(at);
    // one round trip: due delayed jobs become ready (rows another claim is promoting are skipped,
    // not waited for), and the queues' limits, the paused queues and the next due time are read
    PreparedStatement rules = c.ps("WITH p AS (UPDATE spindle_jobs j SET " + SCHEDULED_TO_QUEUED
        + " FROM (SELECT id AS sid FROM spindle_jobs WHERE state = " + JobRows.SCHEDULED + " AND run_at <= ?"
        + " ORDER BY run_at LIMIT " + PROMOTE_BATCH + " FOR UPDATE SKIP LOCKED) s WHERE j.id = s.sid AND j.state = "
        + JobRows.SCHEDULED + " RETURNING 1)"
        + " SELECT name, max_running, NULL::bigint FROM spindle_queues"
        + " UNION ALL SELECT queue, -1, NULL FROM spindle_paused"
        + " UNION ALL SELECT NULL, (SELECT count(*) FROM p)::int, (SELECT min(run_at) FROM spindle_jobs"
        + " WHERE state = " + JobRows.SCHEDULED + " AND run_at > ?)");
    rules.setLong(1, now);
    rules.setLong(2, now);
    Map<String, Integer> limits = new HashMap<>();
    int promoted = 0;
    Long nextDue = null;
    try (ResultSet rs = rules.executeQuery()) {
      while (rs.next()) {
        String name = rs.getString(1);
        if (name != null) {
          limits.merge(name, rs.getInt(2), Math::min);
        } else {
          promoted = rs.getInt(2);
          long v = rs.getLong(3);
          nextDue = rs.wasNull() ? null : v;
        }
      }
    }
    // one statement per queue: lock up to n ready rows in claim order along spindle_jobs_ready,
    // skipping rows other claims hold, and take them
    PreparedStatement take = c.ps("UPDATE spindle_jobs j SET " + QUEUED_TO_RUNNING
        + ", worker_id = ?, fence = fence + 1,"
        + " attempt = attempt + 1, started_at = ?, cancel_requested = 0 FROM (SELECT id AS sid FROM spindle_jobs"
        + " WHERE state = " + JobRows.QUEUED + " AND queue = ? ORDER BY priority DESC, id LIMIT ?"
        + " FOR UPDATE SKIP LOCKED) s WHERE j.id = s.sid RETURNING " + JobRows.CLAIM_COLUMNS);
    List<JobInfo> claimed = new ArrayList<>();
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
        // claims of a limited queue take turns, so that two workers cannot both fill the last slot
        PreparedStatement turn = c.ps("SELECT pg_advisory_xact_lock(hashtext('spindle-queue:' || current_schema()"
            + " || ':' || ?))");
        turn.setString(1, q);
        turn.execute();
        available = Math.min(available, limit - runningIn(c, q));
        if (available <= 0) {
          continue;
        }
      }
      take.setString(1, req.workerId());
      take.setLong(2, now);
      take.setString(3, q);
      take.setInt(4, available);
      List<JobInfo> part = new ArrayList<>();
      try (ResultSet rs = take.executeQuery()) {
        while (rs.next()) {
          JobInfo j = JobRows.readClaimed(rs, req.workerId(), req.now(), id -> policy(c, id));
          part.add(j);
          stats.merge(MinuteStats.WAIT_BASE + MinuteStats.bucket(Duration.between(j.runAt(), at)), 1L,
              Long::sum);
        }
      }
      part.sort(Comparator.comparingInt(JobInfo::priority).reversed()
          .thenComparingLong(j -> Long.parseLong(j.id())));
      claimed.addAll(part);
      remaining -= part.size();
    }
    if (!claimed.isEmpty()) {
      stats.put(MinuteStats.STARTED, (long) claimed.size());
      addStats(c, at, stats);
    }
    Instant next = null;
    if (remaining > 0) {
      // a full promotion batch may have left due jobs behind: they are due now
      next = promoted >= PROMOTE_BATCH ? at : nextDue == null ? null : JobRows.instant(nextDue);
    }
    return new ClaimResult(claimed, next);
  }

  private static Map<String, Integer> limits(Db.Conn c) throws SQLException {
    Map<String, Integer> m = new HashMap<>();
    try (ResultSet rs = c.ps("SELECT name, max_running FROM spindle_queues").executeQuery()) {
      while (rs.next()) {
        m.put(rs.getString(1), rs.getInt(2));
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
    changed();
    return r;
  }

  @Override
  public Exchange completeAndClaim(List<Completion> completions, ClaimRequest request, Instant now) {
    if (completions.isEmpty() && request == null) {
      return new Exchange(List.of(), ClaimResult.empty());
    }
    // two transactions: the finish counter's row, locked at the end of the completion, is not held
    // through the claim (workers' claims would otherwise queue behind each other's completions)
    List<Boolean> applied = completions.isEmpty() ? List.of()
        : db.write("complete " + completions.size() + " job(s)", c -> completeTx(c, completions, now));
    if (!completions.isEmpty()) {
      changed();
    }
    ClaimResult claim = request == null ? ClaimResult.empty() : db.write("claim jobs", c -> claimTx(c, request));
    return new Exchange(applied, claim);
  }

  /** The SQL that applies one outcome to many jobs: an UPDATE joined to the unnested arrays. */
  private static String batched(String set, String columns, String types, String extra) {
    return "UPDATE spindle_jobs j SET " + set + " FROM unnest(" + types + ") AS u(id, fence, worker" + columns
        + ") WHERE j.id = u.id AND j.fence = u.fence AND j.worker_id = u.worker AND j.state = " + JobRows.RUNNING
        + extra + " RETURNING j.id";
  }

  /**
   * The SQL that finishes many jobs: the rows still held as named get finish numbers in the order
   * given (counter + position; a completion that is fenced off leaves a gap), and the counter moves
   * past them, in one statement. The counter's row stays locked to the end of the transaction, so
   * feed numbers become visible in order.
   */
  private static String finishing(String set, String columns, String types, String extra) {
    // the one parameter before the arrays: the store's now, read by the SET clause from m
    return "WITH m AS (SELECT value, ?::bigint AS at FROM spindle_meta WHERE key = 'finish_seq' FOR UPDATE),"
        + " upd AS (UPDATE spindle_jobs j SET " + set.replace("?", "m.at") + ", finish_seq = m.value + u.ord"
        + " FROM m, unnest(" + types + ") WITH ORDINALITY AS u(id, fence, worker" + columns + ", ord)"
        + " WHERE j.id = u.id AND j.fence = u.fence AND j.worker_id = u.worker AND j.state = " + JobRows.RUNNING
        + extra + " RETURNING j.id, u.ord),"
        + " bump AS (UPDATE spindle_meta SET value = value + coalesce((SELECT max(ord) FROM upd), 0)"
        + " WHERE key = 'finish_seq')"
        + " SELECT id, (SELECT EXISTS (SELECT 1 FROM spindle_deps)) FROM upd";
  }

  private static final String SUCCEEDED_SQL = finishing(RUNNING_TO_SUCCEEDED + ", result = u.result,"
      + " finished_at = ?, expires_at = ? + (SELECT result_ttl_us FROM spindle_policies p"
      + " WHERE p.id = j.policy_id), cancel_requested = 0", ", result",
      "?::bigint[], ?::bigint[], ?::text[], ?::text[]", "");
  private static final String RETRY_SQL = batched("state = u.to_state, failures = j.failures + 1,"
      + " error = u.error, run_at = u.run_at, cancel_requested = 0", ", to_state, error, run_at",
      "?::bigint[], ?::bigint[], ?::text[], ?::smallint[], ?::text[], ?::bigint[]", "");
  private static final String FAILED_SQL = finishing("state = u.to_state, failures = j.failures + u.inc,"
      + " error = u.error, dead_reason = u.reason, finished_at = ?, expires_at = ? +"
      + " (SELECT failure_ttl_us FROM spindle_policies p WHERE p.id = j.policy_id), cancel_requested = 0",
      ", to_state, inc, error, reason",
      "?::bigint[], ?::bigint[], ?::text[], ?::smallint[], ?::int[], ?::text[], ?::text[]", "");
  private static final String CANCELLED_SQL = finishing(RUNNING_TO_CANCELLED + ", error = coalesce(u.error,"
      + " j.error), finished_at = ?, expires_at = ? + (SELECT result_ttl_us FROM"
      + " spindle_policies p WHERE p.id = j.policy_id), cancel_requested = 0", ", error, min_req",
      "?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::int[]", " AND j.cancel_requested >= u.min_req");
  private static final String RELEASED_SQL = batched(RUNNING_TO_QUEUED + ", attempt = greatest(j.attempt - 1, 0),"
      + " run_at = ?, cancel_requested = 0", "", "?::bigint[], ?::bigint[], ?::text[]",
      " AND j.cancel_requested = 0");

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
      Set<Long> out = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        boolean flag = rs.getMetaData().getColumnCount() > 1;
        while (rs.next()) {
          out.add(rs.getLong(1));
          if (flag && rs.getBoolean(2)) {
            anyDeps[0] = true;
          }
        }
      }
      return out;
    }
  }

  /** Applies completions of distinct jobs; adds to {@code stats} and {@code finished}. */
  private List<Boolean> applyRound(Db.Conn c, List<Completion> completions, StoreClock sc, long now,
      Map<Integer, Long> stats, List<Long> finished, boolean[] anyDeps) throws SQLException {
    int n = completions.size();
    Group[] groups = new Group[5];
    for (int g = 0; g < 5; g++) {
      groups[g] = new Group();
    }
    int[] groupOf = new int[n];
    List<Completion> actual = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Completion k = completions.get(i);
      if (k.outcome() == Completion.Outcome.SUCCEEDED && tooLarge(k.resultJson())) {
        PayloadException pe = new PayloadException("the result of job " + k.jobId() + " is larger than the "
            + "store's limit of " + settings.maxPayloadBytes + " bytes; return a reference instead of the data");
        k = Completion.failed(k.jobId(), k.fence(), k.workerId(), JobError.from(pe).toJson());
      }
      actual.add(k);
      long id = Long.parseLong(k.jobId());
      switch (k.outcome()) {
        case SUCCEEDED -> {
          groups[0].add(k, id);
          groups[0].a.add(k.resultJson());
          groupOf[i] = 0;
        }
        case RETRY -> {
          long at = micros(sc.translate(k.retryAt()));
          JobState to = at > now ? JobState.SCHEDULED : JobState.QUEUED;
          JobState.checkTransition(k.jobId(), JobState.RUNNING, to);
          groups[1].add(k, id);
          groups[1].a.add((short) JobRows.code(to));
          groups[1].b.add(k.errorJson());
          groups[1].c.add(at);
          groupOf[i] = 1;
        }
        case FAILED, DEAD -> {
          boolean dead = k.outcome() == Completion.Outcome.DEAD;
          JobState to = dead ? JobState.DEAD : JobState.FAILED;
          JobState.checkTransition(k.jobId(), JobState.RUNNING, to);
          groups[2].add(k, id);
          groups[2].a.add((short) JobRows.code(to));
          groups[2].b.add(dead ? 0 : 1);
          groups[2].c.add(k.errorJson());
          groups[2].d.add(dead ? k.deadReason() : null);
          groupOf[i] = 2;
        }
        case CANCELLED, RELEASED -> {
          // a released job whose cancel was requested is cancelled instead of running again
          boolean release = k.outcome() == Completion.Outcome.RELEASED;
          groups[3].add(k, id);
          groups[3].a.add(k.errorJson());
          groups[3].b.add(release ? 1 : 0);
          groupOf[i] = 3;
          if (release) {
            groups[4].add(k, id);
          }
        }
      }
    }
    Connection jdbc = c.jdbc();
    List<Set<Long>> done = new ArrayList<>();
    for (int g = 0; g < 5; g++) {
      done.add(Set.of());
    }
    if (!groups[0].ids.isEmpty()) {
      PreparedStatement ps = c.ps(SUCCEEDED_SQL);
      ps.setLong(1, now);
      groups[0].bind(jdbc, ps, 2, "text");
      done.set(0, Group.run(ps, anyDeps));
    }
    if (!groups[1].ids.isEmpty()) {
      PreparedStatement ps = c.ps(RETRY_SQL);
      groups[1].bind(jdbc, ps, 1, "int2", "text", "int8");
      done.set(1, Group.run(ps, anyDeps));
    }
    if (!groups[2].ids.isEmpty()) {
      PreparedStatement ps = c.ps(FAILED_SQL);
      ps.setLong(1, now);
      groups[2].bind(jdbc, ps, 2, "int2", "int4", "text", "text");
      done.set(2, Group.run(ps, anyDeps));
    }
    if (!groups[3].ids.isEmpty()) {
      PreparedStatement ps = c.ps(CANCELLED_SQL);
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
    List<Boolean> applied = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Completion k = actual.get(i);
      long id = Long.parseLong(k.jobId());
      int g = groupOf[i];
      boolean ok = done.get(g).contains(id);
      if (ok) {
        int counter = switch (g) {
          case 0 -> MinuteStats.SUCCEEDED;
          case 1 -> MinuteStats.RETRIED;
          case 2 -> k.outcome() == Completion.Outcome.DEAD ? MinuteStats.DEAD : MinuteStats.FAILED;
          default -> MinuteStats.CANCELLED;
        };
        stats.merge(counter, 1L, Long::sum);
        if (g != 1) {
          finished.add(id);
        }
      }
      boolean releasedOk = g == 3 && k.outcome() == Completion.Outcome.RELEASED && done.get(4).contains(id);
      applied.add(ok || releasedOk);
    }
    return applied;
  }

  private List<Boolean> completeTx(Db.Conn c, List<Completion> completions, Instant callerNow)
      throws SQLException {
    StoreClock sc = StoreClock.read(clock, callerNow);
    long now = micros(sc.now());
    int n = completions.size();
    // rounds of distinct jobs: a job named twice in one call is completed by its first completion
    // that is fenced correctly, as if they came one after another
    Map<String, Integer> seen = new HashMap<>();
    List<List<Integer>> rounds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int r = seen.merge(completions.get(i).jobId(), 1, Integer::sum) - 1;
      if (r == rounds.size()) {
        rounds.add(new ArrayList<>());
      }
      rounds.get(r).add(i);
    }
    Boolean[] appliedAll = new Boolean[n];
    Map<Integer, Long> stats = new HashMap<>();
    List<Long> finished = new ArrayList<>();
    boolean[] anyDeps = new boolean[1]; // read by the finishing statements: no extra round trip
    for (List<Integer> round : rounds) {
      List<Completion> part = new ArrayList<>(round.size());
      for (int i : round) {
        part.add(completions.get(i));
      }
      List<Boolean> ok = applyRound(c, part, sc, now, stats, finished, anyDeps);
      for (int k = 0; k < round.size(); k++) {
        appliedAll[round.get(k)] = ok.get(k);
      }
    }
    List<Boolean> applied = Arrays.asList(appliedAll);
    if (!finished.isEmpty() && anyDeps[0]) {
      deps.endedAll(c, finished, sc.now()); // the batch's ends together: a dependent counts down once
    }
    addStats(c, sc.now(), stats);
    return applied;
  }


  // ---------------------------------------------------------------- workers

  @Override
  public HeartbeatResult heartbeat(WorkerRecord reported) {
    return db.write("heartbeat of worker " + reported.id(), c -> {
      StoreClock sc = StoreClock.read(clock, reported.heartbeatAt());
      WorkerRecord w = reported.onStoreClock(sc);
      PreparedStatement up = c.ps("INSERT INTO spindle_workers (id, name, host, pid, queues, concurrency, model,"
          + " state, started_at, heartbeat_at, lease_until, running, processed, failed, rate)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
          + " state = excluded.state, heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until,"
          + " running = excluded.running, processed = excluded.processed, failed = excluded.failed,"
          + " rate = excluded.rate");
      up.setString(1, w.id());
      up.setString(2, w.name());
      up.setString(3, w.host());
      up.setLong(4, w.pid());
      up.setString(5, String.join(",", w.queues()));
      up.setInt(6, w.concurrency());
      up.setString(7, w.model());
      up.setString(8, w.state());
      up.setLong(9, micros(w.startedAt()));
      up.setLong(10, micros(w.heartbeatAt()));
      up.setLong(11, micros(w.leaseUntil()));
      up.setInt(12, w.running());
      up.setLong(13, w.processed());
      up.setLong(14, w.failed());
      up.setDouble(15, w.ratePerSecond());
      up.executeUpdate();
      PreparedStatement skew = c.ps("INSERT INTO spindle_worker_clocks (worker, skew_us) VALUES (?, ?)"
          + " ON CONFLICT (worker) DO UPDATE SET skew_us = excluded.skew_us");
      skew.setString(1, w.id());
      skew.setLong(2, micros(w.clockSkew()));
      skew.executeUpdate();
      PreparedStatement held = c.ps("SELECT id, cancel_requested FROM spindle_jobs WHERE state = "
          + JobRows.RUNNING + " AND worker_id = ?");
      held.setString(1, w.id());
      Set<String> ids = new HashSet<>();
      Set<String> cancel = new HashSet<>();
      try (ResultSet rs = held.executeQuery()) {
        while (rs.next()) {
          String id = Long.toString(rs.getLong(1));
          ids.add(id);
          if (rs.getInt(2) != 0) {
            cancel.add(id);
          }
        }
      }
      return new HeartbeatResult(ids, cancel, sc.now());
    });
  }

  @Override
  public void deregisterWorker(String workerId, Instant callerNow) {
    int released = db.write("deregister worker " + workerId, c -> {
      Instant now = clock.instant();
      PreparedStatement del = c.ps("DELETE FROM spindle_workers WHERE id = ?");
      del.setString(1, workerId);
      del.executeUpdate();
      PreparedStatement delSkew = c.ps("DELETE FROM spindle_worker_clocks WHERE worker = ?");
      delSkew.setString(1, workerId);
      delSkew.executeUpdate();
      PreparedStatement sel = c.ps("SELECT id, cancel_requested FROM spindle_jobs WHERE state = " + JobRows.RUNNING
          + " AND worker_id = ? ORDER BY id FOR UPDATE");
      sel.setString(1, workerId);
      List<long[]> held = new ArrayList<>();
      try (ResultSet rs = sel.executeQuery()) {
        while (rs.next()) {
          held.add(new long[] {rs.getLong(1), rs.getInt(2)});
        }
      }
      PreparedStatement rel = c.ps("UPDATE spindle_jobs SET " + RUNNING_TO_QUEUED
          + ", attempt = greatest(attempt - 1, 0), run_at = ?,"
          + " cancel_requested = 0 WHERE id = ? AND state = " + JobRows.RUNNING);
      for (long[] h : held) {
        if (h[1] != 0) {
          finish(c, h[0], JobState.RUNNING, JobState.CANCELLED, now, null, null, RESULT_TTL);
        } else {
          rel.setLong(1, micros(now));
          rel.setLong(2, h[0]);
          rel.executeUpdate();
        }
      }
      return held.size();
    });
    if (released > 0) {
      changed();
    }
  }

  @Override
  public List<JobInfo> reclaimExpired(Instant callerNow, int limit) {
    Instant now = clock.instant();
    long t = micros(now);
    String orphaned = "SELECT j.id FROM spindle_jobs j WHERE j.state = " + JobRows.RUNNING
        + " AND NOT EXISTS (SELECT 1 FROM"
        + " spindle_workers w WHERE w.id = j.worker_id AND w.lease_until > ?) LIMIT ?";
    boolean any = db.read("look for expired leases", c -> {
      PreparedStatement ps = c.ps(orphaned);
      ps.setLong(1, t);
      ps.setInt(2, 1);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return true;
        }
      }
      PreparedStatement w = c.ps("SELECT 1 FROM spindle_workers WHERE lease_until <= ? LIMIT 1");
      w.setLong(1, t);
      try (ResultSet rs = w.executeQuery()) {
        return rs.next();
      }
    });
    if (!any) {
      return List.of();
    }
    List<JobInfo> out = db.write("reclaim jobs of dead workers", c -> {
      PreparedStatement ps = c.ps("SELECT j.id, j.lost, j.cancel_requested, p.max_lost, j.worker_id FROM spindle_jobs j"
          + " JOIN spindle_policies p ON p.id = j.policy_id WHERE j.state = " + JobRows.RUNNING
          + " AND NOT EXISTS (SELECT 1 FROM"
          + " spindle_workers w WHERE w.id = j.worker_id AND w.lease_until > ?) ORDER BY j.id LIMIT ?"
          + " FOR UPDATE OF j SKIP LOCKED");
      ps.setLong(1, t);
      ps.setInt(2, limit);
      List<Object[]> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Object[] {rs.getLong(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getString(5)});
        }
      }
      PreparedStatement requeue = c.ps("UPDATE spindle_jobs SET " + RUNNING_TO_QUEUED
          + ", lost = lost + 1, run_at = ? WHERE id = ? AND state = " + JobRows.RUNNING);
      PreparedStatement strike = c.ps("UPDATE spindle_jobs SET lost = lost + 1 WHERE id = ? AND state = "
          + JobRows.RUNNING);
      List<Long> ids = new ArrayList<>();
      for (Object[] r : rows) {
        long id = (Long) r[0];
        int lost = (Integer) r[1] + 1;
        boolean cancel = (Integer) r[2] != 0;
        int maxLost = (Integer) r[3];
        if (cancel) {
          strike.setLong(1, id);
          strike.executeUpdate();
          finish(c, id, JobState.RUNNING, JobState.CANCELLED, now, null, null, RESULT_TTL);
        } else if (lost >= maxLost) {
          strike.setLong(1, id);
          strike.executeUpdate();
          String err = JobError.of("dev.spindle.WorkerLostException", "job " + id + " lost its worker " + lost
              + " time(s) (limit " + maxLost + "); last worker: " + r[4]).toJson();
          finish(c, id, JobState.RUNNING, JobState.DEAD, now, err, JobInfo.WORKER_LOST, FAILURE_TTL);
        } else {
          requeue.setLong(1, t);
          requeue.setLong(2, id);
          requeue.executeUpdate();
        }
        ids.add(id);
      }
      PreparedStatement gone = c.ps("DELETE FROM spindle_workers WHERE lease_until <= ? AND NOT EXISTS (SELECT 1"
          + " FROM spindle_jobs j WHERE j.state = " + JobRows.RUNNING + " AND j.worker_id = spindle_workers.id)");
      gone.setLong(1, t);
      if (gone.executeUpdate() > 0) {
        c.ps("DELETE FROM spindle_worker_clocks WHERE worker NOT IN (SELECT id FROM spindle_workers)").executeUpdate();
      }
      List<JobInfo> snapshots = new ArrayList<>(ids.size());
      PreparedStatement get = c.ps(JOB_BY_ID);
      for (long id : ids) {
        get.setLong(1, id);
        try (ResultSet rs = get.executeQuery()) {
          if (rs.next()) {
            snapshots.add(row(c, rs));
          }
        }
      }
      return snapshots;
    });
    if (!out.isEmpty()) {
      changed();
    }
    return out;
  }

  // ---------------------------------------------------------------- schedules

  @Override
  public ScheduleRecord saveSchedule(ScheduleRecord s) {
    ScheduleRecord[] changed = new ScheduleRecord[1];
    ScheduleRecord r = db.write("save schedule " + s.name(), c -> {
      changed[0] = null;
      Optional<ScheduleRecord> existing = schedule(c, s.name());
      if (existing.isPresent() && existing.get().definition().equals(s.definition())) {
        return existing.get();
      }
      PreparedStatement ps = c.ps("INSERT INTO spindle_schedules AS s (name, definition, next_fire_at,"
          + " last_fire_at, version, created_at) VALUES (?, ?, ?, NULL, 1, ?) ON CONFLICT (name) DO UPDATE SET"
          + " definition = excluded.definition, next_fire_at = excluded.next_fire_at, version = s.version + 1");
      ps.setString(1, s.name());
      ps.setString(2, s.definition());
      ps.setLong(3, micros(s.nextFireAt()));
      ps.setLong(4, micros(s.createdAt()));
      ps.executeUpdate();
      changed[0] = schedule(c, s.name()).orElseThrow();
      return changed[0];
    });
    if (changed[0] != null) {
      changed();
    }
    return r;
  }

  private static Optional<ScheduleRecord> schedule(Db.Conn c, String name) throws SQLException {
    PreparedStatement ps = c.ps("SELECT name, definition, next_fire_at, last_fire_at, version, created_at"
        + " FROM spindle_schedules WHERE name = ?");
    ps.setString(1, name);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(scheduleRow(rs)) : Optional.empty();
    }
  }

  private static ScheduleRecord scheduleRow(ResultSet rs) throws SQLException {
    long last = rs.getLong(4);
    Instant lastAt = rs.wasNull() ? null : JobRows.instant(last);
    return new ScheduleRecord(rs.getString(1), rs.getString(2), JobRows.instant(rs.getLong(3)), lastAt,
        rs.getLong(5), JobRows.instant(rs.getLong(6)));
  }

  @Override
  public boolean deleteSchedule(String name) {
    boolean removed = db.write("delete schedule " + name, c -> {
      PreparedStatement ps = c.ps("DELETE FROM spindle_schedules WHERE name = ?");
      ps.setString(1, name);
      boolean gone = ps.executeUpdate() > 0;
      PreparedStatement mark = c.ps("DELETE FROM spindle_paused_schedules WHERE name = ?");
      mark.setString(1, name);
      mark.executeUpdate();
      return gone;
    });
    if (removed) {
      changed();
    }
    return removed;
  }

  @Override
  public List<ScheduleRecord> schedules() {
    return db.read("list schedules", c -> {
      List<ScheduleRecord> out = new ArrayList<>();
      try (ResultSet rs = c.ps("SELECT name, definition, next_fire_at, last_fire_at, version, created_at"
          + " FROM spindle_schedules ORDER BY name").executeQuery()) {
        while (rs.next()) {
          out.add(scheduleRow(rs));
        }
      }
      return out;
    });
  }

  @Override
  public List<ScheduleRecord> dueSchedules(Instant now, int limit) {
    return db.read("list due schedules", c -> {
      PreparedStatement ps = c.ps("SELECT name, definition, next_fire_at, last_fire_at, version, created_at"
          + " FROM spindle_schedules WHERE next_fire_at <= ? AND name NOT IN (SELECT name FROM"
          + " spindle_paused_schedules) ORDER BY next_fire_at, name LIMIT ?");
      ps.setLong(1, micros(now));
      ps.setInt(2, limit);
      List<ScheduleRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(scheduleRow(rs));
        }
      }
      return out;
    });
  }

  @Override
  public boolean fireSchedule(String name, long expectedVersion, Instant nextFireAt, Instant firedTick,
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
      policyIds.putAll(created);
      changed();
    }
    return fired;
  }

  // ---------------------------------------------------------------- retention

  @Override
  public int purgeExpired(Instant callerNow, RetentionLimits limits) {
    long t = micros(clock.instant());
    long[] work = db.read("check retention", c -> {
      PreparedStatement ex = c.ps("SELECT count(*) FROM (SELECT 1 FROM spindle_jobs WHERE " + JobRows.IS_TERMINAL
          + " AND"
          + " expires_at <= ? LIMIT 1) AS x");
      ex.setLong(1, t);
      long expired;
      try (ResultSet rs = ex.executeQuery()) {
        rs.next();
        expired = rs.getLong(1);
      }
      return new long[] {expired, count(c, JobRows.IS_SUCCESS_LIKE), count(c, JobRows.IS_FAILURE_LIKE)};
    });
    long keptFrom = MinuteStats.minuteOf(clock.instant()) - MinuteStats.KEPT.toSeconds();
    boolean oldStats = db.read("check statistics retention", c -> {
      PreparedStatement ps = c.ps("SELECT 1 FROM spindle_stats WHERE minute < ? LIMIT 1");
      ps.setLong(1, keptFrom);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    });
    if (oldStats) {
      db.write("apply statistics retention", c -> {
        PreparedStatement ps = c.ps("DELETE FROM spindle_stats WHERE minute < ?");
        ps.setLong(1, keptFrom);
        return ps.executeUpdate();
      });
    }
    long overOk = work[1] - limits.maxSucceeded();
    long overFailed = work[2] - limits.maxFailed();
    if (work[0] == 0 && overOk <= 0 && overFailed <= 0) {
      return 0;
    }
    return db.write("apply retention", c -> {
      int left = limits.batch();
      PreparedStatement del = c.ps("DELETE FROM spindle_jobs WHERE id IN (SELECT id FROM spindle_jobs WHERE"
          + " " + JobRows.IS_TERMINAL + " AND expires_at <= ? ORDER BY expires_at LIMIT ?)");
      del.setLong(1, t);
      del.setInt(2, left);
      int deleted = del.executeUpdate();
      left -= deleted;
      long ok = count(c, JobRows.IS_SUCCESS_LIKE) - limits.maxSucceeded();
      if (left > 0 && ok > 0) {
        int n = deleteOldest(c, JobRows.IS_SUCCESS_LIKE, (int) Math.min(ok, left));
        deleted += n;
        left -= n;
      }
      long bad = count(c, JobRows.IS_FAILURE_LIKE) - limits.maxFailed();
      if (left > 0 && bad > 0) {
        deleted += deleteOldest(c, JobRows.IS_FAILURE_LIKE, (int) Math.min(bad, left));
      }
      return deleted;
    });
  }

  private static long count(Db.Conn c, String where) throws SQLException {
    try (ResultSet rs = c.ps("SELECT count(*) FROM spindle_jobs WHERE " + where).executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static int deleteOldest(Db.Conn c, String where, int n) throws SQLException {
    PreparedStatement ps = c.ps("DELETE FROM spindle_jobs WHERE id IN (SELECT id FROM spindle_jobs WHERE " + where
        + " ORDER BY finish_seq LIMIT ?)");
    ps.setInt(1, n);
    return ps.executeUpdate();
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
      return new LiveView(workersIn(c), pausedIn(c), feed, cursor,
          r.statsFrom().isBefore(r.statsTo()) ? minutesIn(c, r.statsFrom(), r.statsTo()) : List.of(),
          r.counts() ? summariesIn(c) : null, r.counts() ? oldestIn(c) : null);
    });
  }

  // ---------------------------------------------------------------- statistics, schedule pausing

  @Override
  public List<MinuteStats> minutes(Instant from, Instant to) {
    if (!from.isBefore(to)) {
      return List.of();
    }
    return db.read("read statistics", c -> minutesIn(c, from, to));
  }

  private List<MinuteStats> minutesIn(Db.Conn c, Instant from, Instant to) throws SQLException {
    PreparedStatement ps = c.ps("SELECT minute, counter, n FROM spindle_stats WHERE minute >= ? AND minute < ?"
        + " ORDER BY minute");
    ps.setLong(1, MinuteStats.minuteOf(from));
    ps.setLong(2, to.getEpochSecond() + (to.getNano() > 0 ? 1 : 0));
    Map<Long, Map<Integer, Long>> byMinute = new TreeMap<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        byMinute.computeIfAbsent(rs.getLong(1), m -> new HashMap<>()).put(rs.getInt(2), rs.getLong(3));
      }
    }
    List<MinuteStats> out = new ArrayList<>();
    byMinute.forEach((m, cs) -> out.add(MinuteStats.fromCounters(Instant.ofEpochSecond(m), cs)));
    return out;
  }

  @Override
  public Optional<Instant> oldestWaiting() {
    return db.read("find the oldest waiting job", c -> oldestIn(c));
  }

  private Optional<Instant> oldestIn(Db.Conn c) throws SQLException {
    try (ResultSet rs = c.ps("SELECT run_at FROM spindle_jobs WHERE id = (SELECT min(id) FROM spindle_jobs"
        + " WHERE state = " + JobRows.QUEUED + ")").executeQuery()) {
      return rs.next() ? Optional.of(JobRows.instant(rs.getLong(1))) : Optional.<Instant>empty();
    }
  }

  @Override
  public boolean pauseSchedule(String name) {
    return markSchedule(name, true);
  }

  @Override
  public boolean resumeSchedule(String name) {
    return markSchedule(name, false);
  }

  private boolean markSchedule(String name, boolean pause) {
    boolean found = db.write((pause ? "pause" : "resume") + " schedule " + name, c -> {
      if (schedule(c, name).isEmpty()) {
        return false;
      }
      PreparedStatement ps = c.ps(pause ? "INSERT INTO spindle_paused_schedules (name) VALUES (?) ON CONFLICT DO NOTHING"
          : "DELETE FROM spindle_paused_schedules WHERE name = ?");
      ps.setString(1, name);
      ps.executeUpdate();
      return true;
    });
    if (found) {
      changed();
    }
    return found;
  }

  @Override
  public Set<String> pausedSchedules() {
    return db.read("read paused schedules", c -> {
      Set<String> out = new java.util.TreeSet<>();
      try (ResultSet rs = c.ps("SELECT name FROM spindle_paused_schedules").executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return Set.copyOf(out);
    });
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

  // ---------------------------------------------------------------- inspector

  @Override
  public List<JobInfo> listJobs(JobFilter f) {
    FilterSql q = FilterSql.of(f);
    String sql = "SELECT " + JobRows.COLUMNS + " FROM " + q.from() + " WHERE 1 = 1" + q.where() + q.newestFirst();
    List<Object> args = new ArrayList<>(q.args());
    args.add(f.limit());
    return db.read("list jobs", c -> {
      try (PreparedStatement ps = c.jdbc().prepareStatement(sql)) {
        bind(ps, args);
        List<JobInfo> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(row(c, rs));
          }
        }
        return out;
      }
    });
  }

  private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (a instanceof String s) {
        ps.setString(i + 1, s);
      } else if (a instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else {
        ps.setLong(i + 1, (Long) a);
      }
    }
  }

  @Override
  public Map<String, Instant> oldestReady() {
    return db.read("find the oldest ready jobs", c -> {
      Map<String, Instant> out = new HashMap<>();
      try (ResultSet rs = c.ps("SELECT queue, min(run_at) FROM spindle_jobs WHERE state = " + JobRows.QUEUED + " GROUP BY queue")
          .executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), JobRows.instant(rs.getLong(2)));
        }
      }
      return out;
    });
  }

  @Override
  public List<QueueSummary> queueSummaries() {
    return db.read("summarize queues", c -> summariesIn(c));
  }

  private List<QueueSummary> summariesIn(Db.Conn c) throws SQLException {
    Map<String, Map<JobState, Long>> counts = new TreeMap<>();
    try (ResultSet rs = c.ps("SELECT queue, state, count(*) FROM spindle_jobs GROUP BY queue, state")
        .executeQuery()) {
      while (rs.next()) {
        counts.computeIfAbsent(rs.getString(1), q -> new EnumMap<>(JobState.class))
            .put(JobRows.state(rs.getInt(2)), rs.getLong(3));
      }
    }
    Map<String, Integer> limits = limits(c);
    limits.keySet().forEach(q -> counts.computeIfAbsent(q, k -> new EnumMap<>(JobState.class)));
    List<QueueSummary> out = new ArrayList<>();
    counts.forEach((q, m) -> out.add(new QueueSummary(q, m, limits.getOrDefault(q, 0))));
    return out;
  }

  @Override
  public List<WorkerRecord> workers() {
    return db.read("list workers", c -> workersIn(c));
  }

  private List<WorkerRecord> workersIn(Db.Conn c) throws SQLException {
    List<WorkerRecord> out = new ArrayList<>();
    try (ResultSet rs = c.ps("SELECT w.id, w.name, w.host, w.pid, w.queues, w.concurrency, w.model, w.state,"
        + " w.started_at, w.heartbeat_at, w.lease_until, (SELECT count(*) FROM spindle_jobs j WHERE j.state = "
        + JobRows.RUNNING
        + " AND j.worker_id = w.id), w.processed, w.failed, w.rate, k.skew_us FROM spindle_workers w"
        + " LEFT JOIN spindle_worker_clocks k ON k.worker = w.id ORDER BY w.id")
        .executeQuery()) {
      while (rs.next()) {
        String qs = rs.getString(5);
        out.add(new WorkerRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
            qs.isEmpty() ? List.of() : List.of(qs.split(",")), rs.getInt(6), rs.getString(7), rs.getString(8),
            JobRows.instant(rs.getLong(9)), JobRows.instant(rs.getLong(10)), JobRows.instant(rs.getLong(11)),
            rs.getInt(12), rs.getLong(13), rs.getLong(14), rs.getDouble(15),
            rs.getObject(16) == null ? null : Duration.ofNanos(Math.multiplyExact(rs.getLong(16), 1000L))));
      }
    }
    return out;
  }

  @Override
  public JobInfo requeue(String jobId, Instant callerNow) {
    Instant now = clock.instant();
    long id = parseIdOrNeg(jobId);
    if (id < 0) {
      throw new JobNotFoundException(jobId);
    }
    JobInfo r = db.write("requeue job " + jobId, c -> {
      PreparedStatement sel = c.ps("SELECT state FROM spindle_jobs WHERE id = ? FOR UPDATE");
      sel.setLong(1, id);
      try (ResultSet rs = sel.executeQuery()) {
        if (!rs.next()) {
          throw new JobNotFoundException(jobId);
        }
        JobState.checkRequeue(jobId, JobRows.state(rs.getInt(1)));
      }
      JobState to = deps.retry(c, id);
      if (to == JobState.CANCELLED) {
        throw new IllegalJobTransitionException(jobId, JobState.CANCELLED, JobState.QUEUED, "job " + jobId
            + " depends on job " + deps.cancelledBy(c, id) + ", which ended in a way that cancels it: retry that one");
      }
      to = to == null ? JobState.QUEUED : to;
      PreparedStatement up = c.ps("UPDATE spindle_jobs SET state = ?, failures = 0, lost = 0, dead_reason = NULL,"
          + " error = CASE WHEN ? THEN NULL ELSE error END,"
          + " cancel_requested = 0, run_at = ?, finished_at = NULL, expires_at = NULL, finish_seq = 0 WHERE id = ?");
      up.setInt(1, JobRows.code(to));
      up.setBoolean(2, to == JobState.WAITING);
      up.setLong(3, micros(now));
      up.setLong(4, id);
      up.executeUpdate();
      if (to == JobState.QUEUED) {
        PreparedStatement args = c.ps("UPDATE spindle_jobs SET args = ? WHERE id = ?");
        args.setString(1, deps.inputOf(c, id, argsOfOrNull(c, id)));
        args.setLong(2, id);
        args.executeUpdate();
      }
      deps.requeued(c, id);
      PreparedStatement get = c.ps(JOB_BY_ID);
      get.setLong(1, id);
      try (ResultSet rs = get.executeQuery()) {
        rs.next();
        return row(c, rs);
      }
    });
    changed();
    return r;
  }

  @Override
  public List<DependencyEdge> dependencyEdges(String jobId) {
    long id = parseIdOrNeg(jobId);
    return db.read("read the dependencies of job " + jobId, c -> {
      if (id < 0 || argsOfOrNull(c, id) == null) {
        throw new JobNotFoundException(jobId);
      }
      return deps.edgesOf(c, id);
    });
  }

  private static String argsOfOrNull(Db.Conn c, long id) throws SQLException {
    PreparedStatement ps = c.ps("SELECT args FROM spindle_jobs WHERE id = ?");
    ps.setLong(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  @Override
  public int purge(JobFilter filter) {
    for (JobState s : filter.states()) {
      if (!s.isTerminal()) {
        throw new IllegalArgumentException("only finished jobs can be purged, not " + s + " ones; cancel them first");
      }
    }
    JobFilter f = filter.states().isEmpty() ? filter.withStates(JobState.terminalStates()) : filter;
    FilterSql q = FilterSql.of(f);
    String sql = "DELETE FROM spindle_jobs WHERE id IN (SELECT id FROM " + q.from() + " WHERE 1 = 1" + q.where()
        + q.newestFirst() + ")";
    List<Object> args = new ArrayList<>(q.args());
    args.add(f.limit());
    return db.write("purge jobs", c -> {
      try (PreparedStatement ps = c.jdbc().prepareStatement(sql)) {
        bind(ps, args);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public void setQueueLimit(String queue, int maxRunning) {
    JobOptions.validateQueue(queue);
    if (maxRunning < 0) {
      throw new IllegalArgumentException("a queue limit must be >= 0 (0 = none): " + maxRunning);
    }
    db.write("set the limit of queue " + queue, c -> {
      if (maxRunning == 0) {
        PreparedStatement ps = c.ps("DELETE FROM spindle_queues WHERE name = ?");
        ps.setString(1, queue);
        ps.executeUpdate();
      } else {
        PreparedStatement ps = c.ps("INSERT INTO spindle_queues (name, max_running) VALUES (?, ?)"
            + " ON CONFLICT (name) DO UPDATE SET max_running = excluded.max_running");
        ps.setString(1, queue);
        ps.setInt(2, maxRunning);
        ps.executeUpdate();
      }
      return null;
    });
    changed();
  }

  @Override
  public Map<String, Integer> queueLimits() {
    return db.read("read queue limits", c -> new LinkedHashMap<>(limits(c)));
  }

  // ---------------------------------------------------------------- queue control, audit

  @Override
  public void pauseQueue(String queue) {
    JobOptions.validateQueue(queue);
    db.write("pause queue " + queue, c -> {
      PreparedStatement ps = c.ps("INSERT INTO spindle_paused (queue) VALUES (?) ON CONFLICT DO NOTHING");
      ps.setString(1, queue);
      ps.executeUpdate();
      return null;
    });
    changed();
  }

  @Override
  public void resumeQueue(String queue) {
    JobOptions.validateQueue(queue);
    db.write("resume queue " + queue, c -> {
      PreparedStatement ps = c.ps("DELETE FROM spindle_paused WHERE queue = ?");
      ps.setString(1, queue);
      ps.executeUpdate();
      return null;
    });
    changed();
  }

  @Override
  public Set<String> pausedQueues() {
    return db.read("read paused queues", c -> pausedIn(c));
  }

  private Set<String> pausedIn(Db.Conn c) throws SQLException {
    Set<String> out = new java.util.TreeSet<>();
    try (ResultSet rs = c.ps("SELECT queue FROM spindle_paused").executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return Set.copyOf(out);
  }

  @Override
  public int requeueMatching(JobFilter filter, Instant callerNow) {
    Instant now = clock.instant();
    JobFilter f = filter.withStates(QueueControl.statesWithin(filter, QueueControl.requeueStates(), "requeued"));
    for (JobState from : f.states()) {
      JobState.checkTransition("(any " + from + " job)", from, JobState.QUEUED);
    }
    StringBuilder sql = new StringBuilder("UPDATE spindle_jobs SET state = " + JobRows.QUEUED
        + ", failures = 0, lost = 0,"
        + " dead_reason = NULL, cancel_requested = 0, run_at = ?, finished_at = NULL, expires_at = NULL,"
        + " finish_seq = 0 WHERE id IN (SELECT id FROM ");
    FilterSql q = FilterSql.of(f);
    sql.append(q.from()).append(" WHERE 1 = 1").append(q.where()).append(q.newestFirst()).append(")");
    List<Object> args = new ArrayList<>();
    args.add(micros(now));
    args.addAll(q.args());
    args.add(f.limit());
    int n = db.write("requeue jobs", c -> {
      try (PreparedStatement ps = c.jdbc().prepareStatement(sql.toString())) {
        bind(ps, args);
        return ps.executeUpdate();
      }
    });
    if (n > 0) {
      changed();
    }
    return n;
  }

  @Override
  public int cancelMatching(JobFilter filter, Instant callerNow) {
    Instant now = clock.instant();
    JobFilter f = filter.withStates(QueueControl.statesWithin(filter, QueueControl.cancelStates(), "cancelled"));
    FilterSql q = FilterSql.of(f);
    String sql = "SELECT id, state FROM " + q.from() + " WHERE NOT (state = " + JobRows.RUNNING
        + " AND cancel_requested = 1)" + q.where() + q.newestFirst() + " FOR UPDATE";
    List<Object> args = new ArrayList<>(q.args());
    args.add(f.limit());
    int n = db.write("cancel jobs", c -> {
      List<long[]> rows = new ArrayList<>();
      try (PreparedStatement ps = c.jdbc().prepareStatement(sql)) {
        bind(ps, args);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(new long[] {rs.getLong(1), rs.getInt(2)});
          }
        }
      }
      int done = 0;
      PreparedStatement ask = c.ps("UPDATE spindle_jobs SET cancel_requested = 1 WHERE id = ? AND state = "
          + JobRows.RUNNING);
      for (long[] r : rows) {
        if (JobRows.state((int) r[1]) == JobState.RUNNING) {
          ask.setLong(1, r[0]);
          done += ask.executeUpdate();
        } else {
          finish(c, r[0], JobRows.state((int) r[1]), JobState.CANCELLED, now, null, null, RESULT_TTL);
          done++;
        }
      }
      return done;
    });
    if (n > 0) {
      changed();
    }
    return n;
  }

  @Override
  public DeleteResult deleteJob(String jobId) {
    long id = parseIdOrNeg(jobId);
    if (id < 0) {
      return DeleteResult.NOT_FOUND;
    }
    return db.write("delete job " + jobId, c -> {
      PreparedStatement sel = c.ps("SELECT state FROM spindle_jobs WHERE id = ? FOR UPDATE");
      sel.setLong(1, id);
      try (ResultSet rs = sel.executeQuery()) {
        if (!rs.next()) {
          return DeleteResult.NOT_FOUND;
        }
        if (!JobRows.state(rs.getInt(1)).isTerminal()) {
          return DeleteResult.NOT_FINISHED;
        }
      }
      PreparedStatement del = c.ps("DELETE FROM spindle_jobs WHERE id = ?");
      del.setLong(1, id);
      del.executeUpdate();
      return DeleteResult.DELETED;
    });
  }

  @Override
  public void appendAudit(AuditRecord r) {
    db.write("append to the audit log", c -> {
      PreparedStatement ps = c.ps("INSERT INTO spindle_audit (at, actor, action, target, detail) VALUES"
          + " (?, ?, ?, ?, ?) RETURNING id");
      ps.setLong(1, micros(r.at()));
      ps.setString(2, r.user());
      ps.setString(3, r.action());
      ps.setString(4, r.target());
      ps.setString(5, r.detail());
      long id;
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        id = rs.getLong(1);
      }
      if (id % 1000 == 0) {
        PreparedStatement trim = c.ps("DELETE FROM spindle_audit WHERE id <= ?");
        trim.setLong(1, id - AuditLog.KEPT);
        trim.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public List<AuditRecord> recentAudit(int limit) {
    return db.read("read the audit log", c -> {
      PreparedStatement ps = c.ps("SELECT id, at, actor, action, target, detail FROM spindle_audit"
          + " ORDER BY id DESC LIMIT ?");
      ps.setInt(1, limit);
      List<AuditRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new AuditRecord(rs.getLong(1), JobRows.instant(rs.getLong(2)), rs.getString(3),
              rs.getString(4), rs.getString(5), rs.getString(6)));
        }
      }
      return out;
    });
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
    private String password;
    private String schema;
    private int maxConnections = 8;
    private boolean notify = true;
    private Duration pollInterval;
    private int maxPayloadBytes = 16 << 20;
    private Clock clock;
    private final Map<String, String> options = new LinkedHashMap<>();

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
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * The schema that holds the store's tables (created if missing); default: the user's
     * {@code search_path}. Stores in different schemas of one database are independent.
     */
    public Builder schema(String schema) {
      if (schema != null && !schema.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
        throw new IllegalArgumentException("schema must be a plain identifier (letters, digits, _): " + schema);
      }
      this.schema = schema;
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

    /** A pgjdbc connection property (e.g. {@code sslmode}, {@code connectTimeout}). */
    public Builder option(String key, String value) {
      options.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Connects, creates or migrates the schema, and opens the store.
     *
     * @throws StoreException if it cannot be opened (the message says why, without the password)
     */
    public PostgresJobStore open() {
      return new PostgresJobStore(new Settings(host, port, database, user, password, schema, maxConnections,
          notify, pollInterval, maxPayloadBytes, clock, Map.copyOf(options)));
    }
  }
}
