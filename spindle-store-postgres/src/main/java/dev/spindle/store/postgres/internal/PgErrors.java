package dev.spindle.store.postgres.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.StoreException.Reason;
import dev.spindle.store.jdbc.internal.SqlPool;
import dev.spindle.store.jdbc.internal.SqlPool.ErrorRow;
import java.sql.SQLException;
import java.util.List;

/**
 * Turns PostgreSQL errors into {@link StoreException}s that say what happened, by a table of
 * SQLSTATEs ({@link #TABLE}, the first matching row wins; any other error is {@link Reason#IO}).
 * Stateless.
 */
public final class PgErrors {
  /** A row of the table: the SQLSTATEs it covers (whole codes, or a class as its leading characters). */
  private static ErrorRow row(List<String> states, Reason reason, String before, String after) {
    return new ErrorRow(e -> states.stream().anyMatch(state(e)::startsWith), reason, before, after);
  }

  private static final List<ErrorRow> TABLE = List.of(
      row(List.of("08", "57P"), Reason.UNAVAILABLE, "the PostgreSQL server is unreachable or shutting down",
          "; nothing was written, retry later."),
      row(List.of("28"), Reason.CANNOT_OPEN, "PostgreSQL refused the credentials",
          ": check PGPASSWORD or the password file."),
      row(List.of("53100"), Reason.DISK_FULL, "the PostgreSQL server's disk is full",
          "; the transaction was rolled back, free space and retry."),
      row(List.of("25006"), Reason.READ_ONLY, "the PostgreSQL server is read-only (a standby?)",
          "; nothing was written."),
      row(List.of("57014", "55P03", "40P01", "40001"), Reason.BUSY,
          "PostgreSQL cancelled the statement (timeout or lock conflict)", "; nothing was written, retry later."),
      row(List.of("53"), Reason.UNAVAILABLE, "the PostgreSQL server lacks resources",
          " (too many connections? out of memory?)."));

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

  /** The store exception for an error during {@code operation} on the store {@code where}. */
  public static StoreException translate(SQLException e, String operation, String where) {
    return SqlPool.translate(TABLE, "PostgreSQL", e, operation, where);
  }
}
