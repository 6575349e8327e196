package dev.spindle.store.postgres;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JdbcEnqueue;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.Workflows;
import dev.spindle.store.jdbc.internal.SqlEnqueue;
import dev.spindle.store.jdbc.internal.SqlPolicies;
import dev.spindle.store.postgres.internal.ChangeFeed;
import dev.spindle.store.postgres.internal.Db;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The transactional enqueue of {@link PostgresJobStore} as the store SPI's {@link JdbcEnqueue} role
 * (for {@code JobQueue} and the Spring starter): jobs written on the caller's connection inside its
 * open transaction (a savepoint in it, the store's schema on the search path for these statements), then flow control told that
 * jobs became ready (and the claims' positions reset). Thread-safe (stateless apart from its collaborators).
 */
final class PostgresJdbcEnqueue implements JdbcEnqueue {
  private final SqlEnqueue<Db.Conn> enqueuer;
  private final Db db;
  private final SqlPolicies policies;
  private final ChangeFeed feed;
  private final @Nullable String schema;
  private final Runnable readied;
  private final String describe;

  /**
   * @param readied tells flow control and the claim positions that jobs became ready (these commit
   *     with the caller, possibly after later ones)
   * @param describe the store's location without secrets
   */
  PostgresJdbcEnqueue(SqlEnqueue<Db.Conn> enqueuer, Db db, SqlPolicies policies, ChangeFeed feed,
      @Nullable String schema, Runnable readied, String describe) {
    this.enqueuer = enqueuer;
    this.db = db;
    this.policies = policies;
    this.feed = feed;
    this.schema = schema;
    this.readied = readied;
    this.describe = describe;
  }

  @Override
  public boolean reaches(DataSource dataSource) {
    String mine = db.read("identify the database", c -> databaseIdentity(c.jdbc()));
    try (Connection theirs = dataSource.getConnection()) {
      return mine.equals(databaseIdentity(theirs));
    } catch (SQLException e) {
      return false; // not PostgreSQL, or unreachable: not this store's database
    }
  }

  /** {@link PostgresJobStore#enqueue(Connection, List)}. */
  @Override
  public List<EnqueueResult> enqueue(Connection connection, List<NewJob> jobs) {
    List<EnqueueResult> r = enqueueInCallersTransaction(connection, jobs);
    readied.run();
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
  private List<EnqueueResult> enqueueInCallersTransaction(Connection connection, List<NewJob> jobs) {
    Objects.requireNonNull(connection, "connection");
    if (jobs.isEmpty()) {
      return List.of();
    }
    enqueuer.checkArguments(jobs);
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
      List<EnqueueResult> out = enqueuer.insert(c, jobs, new HashMap<>());
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
  public String toString() {
    return "transactional enqueue of " + describe;
  }
}
