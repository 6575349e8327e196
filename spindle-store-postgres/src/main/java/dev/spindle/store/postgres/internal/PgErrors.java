package dev.spindle.store.postgres.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.JdbcDialect;
import dev.spindle.store.jdbc.internal.SqlPool;
import java.sql.SQLException;

/** Turns PostgreSQL errors (by SQLSTATE) into {@link StoreException}s that say what happened. Stateless. */
public final class PgErrors {
  private PgErrors() {}

  /** The SQLSTATE of {@code e} or of the first SQLException among its causes, or "". */
  public static String state(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        return s.getSQLState();
      }
    }
    return "";
  }

  /** Deadlock, serialization failure or a unique-key race: the whole transaction may simply be retried. */
  public static boolean isRetryable(SQLException e) {
    JdbcDialect.ErrorKind kind = PostgresDialect.INSTANCE.classify(e);
    return kind == JdbcDialect.ErrorKind.SERIALIZATION_FAILURE || kind == JdbcDialect.ErrorKind.UNIQUE_VIOLATION;
  }

  /**
   * The connection itself was lost (class 08) or ended by an administrator ({@code 57P01}, as
   * {@code pg_terminate_backend} does): the pool drops it, and a read may simply run again on
   * another. A write may not: a commit whose answer was lost may have happened.
   */
  public static boolean isConnectionLost(SQLException e) {
    String s = state(e);
    return s.startsWith("08") || s.equals("57P01");
  }

  /** The store exception for an error during {@code operation} on the store {@code where}. */
  public static StoreException translate(SQLException e, String operation, String where) {
    String s = state(e);
    String at = " (" + operation + " on " + where + ")";
    String detail = SqlPool.message(e);
    if (s.startsWith("08") || s.startsWith("57P")) {
      return new StoreException(StoreException.Reason.UNAVAILABLE, "the PostgreSQL server is unreachable or"
          + " shutting down" + at + "; nothing was written, retry later. " + detail, e);
    }
    if (s.startsWith("28")) {
      return new StoreException(StoreException.Reason.CANNOT_OPEN, "PostgreSQL refused the credentials" + at
          + ": check PGPASSWORD or the password file. " + detail, e);
    }
    if (s.equals("53100")) {
      return new StoreException(StoreException.Reason.DISK_FULL, "the PostgreSQL server's disk is full" + at
          + "; the transaction was rolled back, free space and retry. " + detail, e);
    }
    if (s.equals("25006")) {
      return new StoreException(StoreException.Reason.READ_ONLY, "the PostgreSQL server is read-only (a standby?)"
          + at + "; nothing was written. " + detail, e);
    }
    if (s.equals("57014") || s.equals("55P03") || s.equals("40P01") || s.equals("40001")) {
      return new StoreException(StoreException.Reason.BUSY, "PostgreSQL cancelled the statement (timeout or lock"
          + " conflict)" + at + "; nothing was written, retry later. " + detail, e);
    }
    if (s.startsWith("53")) {
      return new StoreException(StoreException.Reason.UNAVAILABLE, "the PostgreSQL server lacks resources" + at
          + " (too many connections? out of memory?). " + detail, e);
    }
    return new StoreException(StoreException.Reason.IO, "PostgreSQL error" + at + ": " + detail, e);
  }
}
