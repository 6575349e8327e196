package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JdbcEnqueue;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.store.Workflows;
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
 * Transactional enqueue on a server database's store ({@link JdbcEnqueue}): jobs are written
 * through the caller's connection inside its open transaction (auto-commit off), so they exist if
 * and only if that transaction commits; a rollback leaves no job. Job policies are recorded
 * beforehand in a transaction of the store's own (harmless if the caller rolls back). The
 * statements run under a savepoint and the store's session settings ({@link Session}), both undone
 * before the call returns: a failed call leaves nothing in the caller's transaction. A unique key
 * that another transaction adds at the same moment makes the call fail: retry the business
 * transaction. Other work runs on the caller's connection the same way ({@link #onCallersConnection},
 * such as a durable step recorded in the caller's transaction). Thread-safe (stateless apart from
 * its collaborators).
 *
 * @param <C> the store's connection type
 */
public final class SqlCallerEnqueue<C extends SqlConn> implements JdbcEnqueue {
  private final SqlEnqueue<C> enqueuer;
  private final SqlPool<C> db;
  private final SqlPolicies policies;
  private final String identitySql;
  private final Session<C> session;
  private final Runnable readied;

  /** What a database does on the caller's connection around the store's statements. */
  public interface Session<C> {
    /** Gives the connection the store's settings; returns what {@link #restore} needs, or null. */
    @Nullable String enter(C c) throws SQLException;

    /** After the jobs' rows, before the settings are restored (a NOTIFY that commits with the caller). */
    default void inserted(C c) throws SQLException {}

    /** Restores the caller's settings {@code saved} by {@link #enter} (also after a failure). */
    void restore(C c, @Nullable String saved) throws SQLException;
  }

  /**
   * A session of at most one {@link Setting} (null: the caller's settings stay) and an action after
   * the jobs' rows ({@link Session#inserted}, such as a notification that commits with the caller).
   */
  public static <C extends SqlConn> Session<C> session(@Nullable Setting<C> setting, SqlDb.Step<C> inserted) {
    return new Session<>() {
      @Override
      public @Nullable String enter(C c) throws SQLException {
        return setting == null ? null : setting.enter(c);
      }

      @Override
      public void inserted(C c) throws SQLException {
        inserted.run(c);
      }

      @Override
      public void restore(C c, @Nullable String saved) throws SQLException {
        if (setting != null) {
          setting.restore(c, saved);
        }
      }
    };
  }

  /**
   * A session that gives the caller's connection one setting of the store's while the store's
   * statements run, and gives the caller's value back after: {@code readSql} reads it (one row, one
   * text column), {@code setSql} sets it (its one parameter the value). Immutable.
   *
   * @param value the store's value of the setting
   */
  public record Setting<C extends SqlConn>(String readSql, String setSql, String value) implements Session<C> {
    @Override
    public String enter(C c) throws SQLException {
      String saved;
      try (ResultSet rs = c.ps(readSql).executeQuery()) {
        rs.next();
        saved = rs.getString(1);
      }
      restore(c, value);
      return saved;
    }

    @Override
    public void restore(C c, @Nullable String saved) throws SQLException {
      if (saved != null) {
        PreparedStatement ps = c.ps(setSql);
        ps.setString(1, saved);
        ps.execute();
      }
    }
  }

  /**
   * @param identitySql a query of one text value naming the database a connection reaches (the same
   *     for every connection to one database, different between databases)
   * @param readied tells flow control and claims that jobs became ready (these commit with the caller)
   */
  public SqlCallerEnqueue(SqlEnqueue<C> enqueuer, SqlPool<C> db, SqlPolicies policies, String identitySql,
      Session<C> session, Runnable readied) {
    this.enqueuer = enqueuer;
    this.db = db;
    this.policies = policies;
    this.identitySql = identitySql;
    this.session = session;
    this.readied = readied;
  }

  @Override
  public boolean reaches(DataSource dataSource) {
    String mine = db.read("identify the database", c -> identity(c.jdbc()));
    try (Connection theirs = dataSource.getConnection()) {
      return mine.equals(identity(theirs));
    } catch (SQLException e) {
      return false; // another database, or unreachable: not this store's database
    }
  }

  /**
   * @return one result per job, in order
   * @throws IllegalStateException if the connection is in auto-commit mode
   * @throws IllegalArgumentException if a dependency does not exist (nothing was added)
   * @throws dev.spindle.queue.StoreException if a statement fails (nothing was added; the caller's
   *     transaction should roll back)
   */
  @Override
  public List<EnqueueResult> enqueue(Connection connection, List<NewJob> jobs) {
    Objects.requireNonNull(connection, "connection");
    if (jobs.isEmpty()) {
      return List.of();
    }
    enqueuer.checkArguments(jobs);
    Workflows.checkBatch(jobs);
    recordPolicies(jobs);
    // a refused dependency is found after its job's row: the savepoint takes the rows back
    List<EnqueueResult> out = onCallersConnection(connection, "transactional enqueue",
        "enqueue " + jobs.size() + " job(s)", c -> {
          List<EnqueueResult> results = enqueuer.insert(c, jobs, new HashMap<>());
          session.inserted(c);
          return results;
        });
    readied.run();
    return out;
  }

  /**
   * Runs {@code work} through the caller's connection inside its open transaction (auto-commit
   * off), under a savepoint and the store's session settings ({@link Session#enter}), both undone
   * before this returns: when {@code work} fails, nothing of it is left in the caller's transaction.
   * What {@code work} writes commits or rolls back with the caller's transaction.
   *
   * @param what names the call in the auto-commit refusal ({@code "transactional enqueue"})
   * @param operation names the work in a translated error, before {@code " in the caller's transaction"}
   * @throws IllegalStateException if the connection is in auto-commit mode (nothing runs)
   * @throws dev.spindle.queue.StoreException if a statement fails (the caller's transaction should roll back)
   */
  public <T> T onCallersConnection(Connection connection, String what, String operation, SqlDb.Work<C, T> work) {
    Objects.requireNonNull(connection, "connection");
    C c = db.wrap(connection);
    Savepoint before = null;
    String saved = null;
    try {
      if (connection.getAutoCommit()) {
        throw new IllegalStateException(what + " needs a connection inside a transaction (setAutoCommit(false));"
            + " in auto-commit mode its writes would be committed at once");
      }
      before = connection.setSavepoint();
      saved = session.enter(c);
      T out = work.run(c);
      session.restore(c, saved);
      connection.releaseSavepoint(before);
      return out;
    } catch (SQLException e) {
      undo(c, before, saved);
      throw db.translate(e, operation + " in the caller's transaction");
    } catch (RuntimeException e) {
      undo(c, before, saved);
      throw e;
    } finally {
      c.closeStatements();
    }
  }

  private void recordPolicies(List<NewJob> jobs) {
    Map<JobPolicy, Long> created = new HashMap<>();
    db.update("record job policies", c -> {
      created.clear();
      for (NewJob j : jobs) {
        policies.id(c, j.policy(), created);
      }
    });
    policies.committed(created);
  }

  /** Rolls the caller's transaction back to {@code before} and restores its settings, when the connection allows it. */
  private void undo(C c, @Nullable Savepoint before, @Nullable String saved) {
    if (before == null) {
      return;
    }
    try {
      c.jdbc().rollback(before);
      c.jdbc().releaseSavepoint(before);
      session.restore(c, saved);
    } catch (SQLException e) {
      // the connection is broken: the caller's transaction is lost with it
    }
  }

  private String identity(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(identitySql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Override
  public String toString() {
    return "transactional enqueue of " + db.describe();
  }
}
