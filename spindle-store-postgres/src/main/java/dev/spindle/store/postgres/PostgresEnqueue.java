package dev.spindle.store.postgres;

import dev.spindle.PayloadException;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.JdbcEnqueue;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.spi.Workflows;
import dev.spindle.queue.spi.sql.SqlDependencies;
import dev.spindle.queue.spi.sql.SqlPolicies;
import dev.spindle.store.postgres.internal.ChangeFeed;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.JobRows;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The enqueue path of {@link PostgresJobStore}: new jobs (batched inserts, unique keys, jobs with
 * dependencies), jobs added through the caller's own transaction, children of a running job, and
 * the jobs a schedule fires. Thread-safe.
 */
final class PostgresEnqueue {
  private static final String INSERT_JOB = "INSERT INTO spindle_jobs (id, task, queue, state, priority, args,"
      + " unique_key, created_at, run_at, policy_id, trace_context, flow_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final PostgresJobStore store;
  private final Db db;
  private final Clock clock;
  private final SqlPolicies policies;
  private final SqlDependencies<Db.Conn> deps;
  private final ChangeFeed feed;
  private final @Nullable String schema;
  private final int maxPayloadBytes;
  private final Runnable changed;

  PostgresEnqueue(PostgresJobStore store, Db db, Clock clock, SqlPolicies policies, SqlDependencies<Db.Conn> deps,
      ChangeFeed feed, @Nullable String schema, int maxPayloadBytes, Runnable changed) {
    this.store = store;
    this.db = db;
    this.clock = clock;
    this.policies = policies;
    this.deps = deps;
    this.feed = feed;
    this.schema = schema;
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
    policies.committed(created);
    changed.run();
    return results;
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
  List<EnqueueResult> enqueue(Connection connection, List<NewJob> jobs) {
    Objects.requireNonNull(connection, "connection");
    if (jobs.isEmpty()) {
      return List.of();
    }
    for (NewJob j : jobs) {
      checkPayload(j.argsJson(), "arguments of task '" + j.task() + "'");
    }
    Workflows.checkBatch(jobs);
    Map<JobPolicy, Long> created = new HashMap<>();
    db.update("record job policies", c -> {
      created.clear();
      for (NewJob j : jobs) {
        policies.id(c, j.policy(), created);
      }
    });
    policies.committed(created);
    Db.Conn c = new Db.Conn(connection);
    Savepoint before = null;
    try {
      if (connection.getAutoCommit()) {
        throw new IllegalStateException("transactional enqueue needs a connection inside a transaction"
            + " (setAutoCommit(false)); in auto-commit mode the jobs would be committed at once");
      }
      // a failure undoes all of this call in the caller's transaction: the rows already written (a
      // refused dependency is found after its job's row) and the search_path set for these statements
      before = connection.setSavepoint();
      String saved = null;
      if (schema != null) {
        PreparedStatement get = c.ps("SELECT current_setting('search_path')");
        try (ResultSet rs = get.executeQuery()) {
          rs.next();
          saved = rs.getString(1);
        }
        setSearchPath(c, "\"" + schema + "\"");
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
      connection.releaseSavepoint(before);
      return out;
    } catch (SQLException e) {
      undo(connection, before);
      throw db.translate(e, "enqueue " + jobs.size() + " job(s) in the caller's transaction");
    } catch (RuntimeException e) {
      undo(connection, before);
      throw e;
    } finally {
      c.closeStatements();
    }
  }

  /** Rolls the caller's transaction back to {@code before} (if taken), when the connection still allows it. */
  private static void undo(Connection connection, @Nullable Savepoint before) {
    if (before == null) {
      return;
    }
    try {
      connection.rollback(before);
      connection.releaseSavepoint(before);
    } catch (SQLException e) {
      // the connection is broken: the caller's transaction is lost with it
    }
  }

  /** Whether {@code dataSource} reaches this store's database (see {@link JdbcEnqueue#reaches}). */
  boolean reaches(DataSource dataSource) {
    String mine = db.read("identify the database", c -> databaseIdentity(c.jdbc()));
    try (Connection theirs = dataSource.getConnection()) {
      return mine.equals(databaseIdentity(theirs));
    } catch (SQLException e) {
      return false; // not PostgreSQL, or unreachable: not this store's database
    }
  }

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

  /** {@link JobStore#addChildren}. */
  List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    for (NewJob j : jobs) {
      checkPayload(j.argsJson(), "arguments of task '" + j.task() + "'");
    }
    List<EnqueueResult> results = deps.addChildren(db, clock, policies, parentId, fence, jobs, exits, this::insert);
    changed.run();
    return results;
  }

  List<EnqueueResult> insert(Db.Conn c, List<NewJob> jobs, Map<JobPolicy, Long> created)
      throws SQLException {
    return insertWith(c, c.ps(INSERT_JOB), jobs, created, newIds(c, jobs.size()));
  }

  /**
   * Locks the fair-rotation rows ({@code spindle_flow_ready}) of the batch's ready keyed jobs in one
   * order (queue, key) before the insert's triggers update them in the batch's order: concurrent
   * enqueues of the same keys in different orders would otherwise deadlock.
   */
  private static void lockFlowKeys(Db.Conn c, List<NewJob> jobs) throws SQLException {
    java.util.TreeSet<String> pairs = null;
    for (NewJob j : jobs) {
      if (j.flowKey() != null && !FlowControl.isBad(j.flowKey()) && !j.isDelayed() && !j.hasDependencies()) {
        if (pairs == null) {
          pairs = new java.util.TreeSet<>();
        }
        pairs.add(j.queue() + "\u0000" + j.flowKey());
      }
    }
    if (pairs == null || (pairs.size() == 1 && jobs.size() == 1)) {
      return; // one key: the trigger takes the one lock
    }
    String[] qs = new String[pairs.size()];
    String[] ks = new String[pairs.size()];
    int i = 0;
    for (String p : pairs) {
      int z = p.indexOf('\u0000');
      qs[i] = p.substring(0, z);
      ks[i++] = p.substring(z + 1);
    }
    PreparedStatement ps = c.ps("INSERT INTO spindle_flow_ready (queue, key, ready, served)"
        + " SELECT q, k, 0, 0 FROM unnest(?::text[], ?::text[]) AS t(q, k) ORDER BY q COLLATE \"C\", k COLLATE \"C\""
        + " ON CONFLICT (queue, key) DO UPDATE SET ready = spindle_flow_ready.ready");
    ps.setArray(1, c.jdbc().createArrayOf("text", qs));
    ps.setArray(2, c.jdbc().createArrayOf("text", ks));
    ps.executeUpdate();
  }

  private List<EnqueueResult> insertWith(Db.Conn c, PreparedStatement ins, List<NewJob> jobs,
      Map<JobPolicy, Long> created, long[] ids) throws SQLException {
    int nextId = 0;
    Instant storeNow = clock.instant();
    lockFlowKeys(c, jobs);
    PreparedStatement byKey = c.ps("SELECT id, state FROM spindle_all_jobs WHERE unique_key = ?");
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
      ins.setLong(8, JobRows.micros(sc.now()));
      ins.setLong(9, JobRows.micros(sc.translate(j.runAt())));
      ins.setLong(10, pid);
      ins.setString(11, j.traceContext());
      boolean bad = FlowControl.isBad(j.flowKey());
      ins.setString(12, bad ? null : j.flowKey());
      if (bad) {
        // its flow key could not be computed: in (as RUNNING, inside this transaction) and dead at once
        if (batched) {
          ins.executeBatch();
          batched = false;
        }
        ins.setInt(4, JobRows.RUNNING);
        ins.executeUpdate();
        store.finish(c, id, JobState.RUNNING, JobState.DEAD, sc.now(), FlowControl.badKeyError(Objects.requireNonNull(j.flowKey(), "the bad flow key")),
            FlowControl.BAD_FLOW_KEY, JobRows.FAILURE_TTL);
        out[i] = new EnqueueResult(Long.toString(id), true, JobState.DEAD);
        continue;
      }
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
    ins.setString(11, j.traceContext());
    ins.setString(12, FlowControl.isBad(j.flowKey()) ? null : j.flowKey());
    ins.executeUpdate();
    return deps.placeDependent(c, id, j, batch, sc.now());
  }

  void checkPayload(String json, String what) {
    checkPayload(json, what, maxPayloadBytes);
  }

  private static void checkPayload(String json, String what, int limit) {
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

  /** Whether a result is over {@code limit} UTF-8 bytes. */
  static boolean tooLarge(String json, int limit) {
    try {
      checkPayload(json, "result", limit);
      return false;
    } catch (PayloadException e) {
      return true;
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
}
