package dev.spindle.store.mariadb;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JdbcEnqueue;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.Workflows;
import dev.spindle.store.jdbc.internal.SqlEnqueue;
import dev.spindle.store.jdbc.internal.SqlPolicies;
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
 * Transactional enqueue on the MariaDB store: jobs are written through the caller's connection
 * inside its open transaction (auto-commit off), so they exist if and only if that transaction
 * commits. The statements run under a savepoint and the store's {@code sql_mode}, both undone
 * before the call returns: a failed call leaves nothing in the caller's transaction. Job policies
 * are recorded beforehand in a transaction of the store's own. Workers of other processes see the
 * jobs at their next poll after the commit. Thread-safe.
 */
final class MariaDbJdbcEnqueue implements JdbcEnqueue {
  private final SqlEnqueue<MariaDbDb.Conn> enqueuer;
  private final MariaDbDb db;
  private final SqlPolicies policies;
  private final Runnable readied;
  private final String describe;

  MariaDbJdbcEnqueue(SqlEnqueue<MariaDbDb.Conn> enqueuer, MariaDbDb db, SqlPolicies policies, Runnable readied,
      String describe) {
    this.enqueuer = enqueuer;
    this.db = db;
    this.policies = policies;
    this.readied = readied;
    this.describe = describe;
  }

  @Override
  public boolean reaches(DataSource dataSource) {
    String mine = db.read("identify the database", c -> identity(c.jdbc()));
    try (Connection theirs = dataSource.getConnection()) {
      return mine.equals(identity(theirs));
    } catch (SQLException e) {
      return false; // not MariaDB, or unreachable: not this store's database
    }
  }

  /**
   * @throws IllegalStateException if the connection is in auto-commit mode
   * @throws dev.spindle.queue.StoreException if a statement fails (nothing was added)
   */
  @Override
  public List<EnqueueResult> enqueue(Connection connection, List<NewJob> jobs) {
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
    MariaDbDb.Conn c = new MariaDbDb.Conn(connection);
    Savepoint before = null;
    String mode = null;
    try {
      if (connection.getAutoCommit()) {
        throw new IllegalStateException("transactional enqueue needs a connection inside a transaction"
            + " (setAutoCommit(false)); in auto-commit mode the jobs would be committed at once");
      }
      before = connection.setSavepoint();
      try (ResultSet rs = c.ps("SELECT @@SESSION.sql_mode").executeQuery()) {
        rs.next();
        mode = rs.getString(1);
      }
      c.ps("SET SESSION sql_mode = '" + MariaDbDb.SQL_MODE + "'").execute();
      List<EnqueueResult> out = enqueuer.insert(c, jobs, new HashMap<>());
      restore(c, mode);
      connection.releaseSavepoint(before);
      readied.run();
      return out;
    } catch (SQLException e) {
      undo(c, before, mode);
      throw db.translate(e, "enqueue " + jobs.size() + " job(s) in the caller's transaction");
    } catch (RuntimeException e) {
      undo(c, before, mode);
      throw e;
    } finally {
      c.closeStatements();
    }
  }

  private static void restore(MariaDbDb.Conn c, @Nullable String mode) throws SQLException {
    if (mode != null) {
      PreparedStatement ps = c.ps("SET SESSION sql_mode = ?");
      ps.setString(1, mode);
      ps.execute();
    }
  }

  /** Rolls the caller's transaction back to {@code before} and restores its mode, when the connection allows it. */
  private static void undo(MariaDbDb.Conn c, @Nullable Savepoint before, @Nullable String mode) {
    try {
      if (before != null) {
        c.jdbc().rollback(before);
        c.jdbc().releaseSavepoint(before);
      }
      restore(c, mode);
    } catch (SQLException e) {
      // the connection is broken: the caller's transaction is lost with it
    }
  }

  /** The database a connection reaches: its name, and the server's host, port and data directory. */
  private static String identity(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT CONCAT(DATABASE(), '@', @@hostname, ':', @@port, ':',"
        + " @@datadir)"); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Override
  public String toString() {
    return "transactional enqueue of " + describe;
  }
}
