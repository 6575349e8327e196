package dev.spindle.store.postgres;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.store.jdbc.internal.SqlDurable;
import dev.spindle.store.postgres.internal.Db;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * {@link PostgresJobStore#stepInTransaction}: a durable step's record written on the caller's
 * connection inside its open transaction, under a savepoint, the store's schema on the search path
 * for these statements only. Thread-safe (stateless apart from its collaborators).
 */
final class PostgresStepInTransaction {
  private final SqlDurable<Db.Conn> durable;
  private final Db db;
  private final @Nullable String schema;

  PostgresStepInTransaction(SqlDurable<Db.Conn> durable, Db db, @Nullable String schema) {
    this.durable = durable;
    this.db = db;
    this.schema = schema;
  }

  StepWrite record(Connection connection, String jobId, long fence, String workerId, StepRecord step,
      DurableRules rules) {
    Objects.requireNonNull(connection, "connection");
    Db.Conn c = new Db.Conn(connection);
    Savepoint before = null;
    try {
      if (connection.getAutoCommit()) {
        throw new IllegalStateException("a step in the caller's transaction needs a connection inside a transaction"
            + " (setAutoCommit(false)); in auto-commit mode the record would be committed at once");
      }
      before = connection.setSavepoint();
      String saved = null;
      if (schema != null) {
        try (ResultSet rs = c.ps("SELECT current_setting('search_path')").executeQuery()) {
          rs.next();
          saved = rs.getString(1);
        }
        setSearchPath(c, "\"" + schema + "\"");
      }
      StepWrite w = durable.recordOn(c, jobId, fence, workerId, step, rules);
      if (saved != null) {
        setSearchPath(c, saved);
      }
      connection.releaseSavepoint(before);
      return w;
    } catch (SQLException e) {
      undo(connection, before);
      throw db.translate(e, "record step " + step.key() + " of job " + jobId + " in the caller's transaction");
    } catch (RuntimeException e) {
      undo(connection, before);
      throw e;
    } finally {
      c.closeStatements();
    }
  }

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

  private static void setSearchPath(Db.Conn c, String path) throws SQLException {
    PreparedStatement ps = c.ps("SELECT set_config('search_path', ?, true)");
    ps.setString(1, path);
    ps.execute();
  }
}
