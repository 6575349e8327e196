package dev.spindle.store.mariadb;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * What an error of MariaDB Connector/J means to the store: the kinds the SQL engine retries or
 * reports. Stateless.
 */
final class MariaDbErrors {
  /** What an error means. */
  enum Kind {
    /** A deadlock ({@code 1213}) or a lock wait that timed out ({@code 1205}): the transaction may run again. */
    SERIALIZATION_FAILURE,
    /** A duplicate key ({@code 1062}): a unique key raced with another insert; the transaction may run again. */
    UNIQUE_VIOLATION,
    /** The connection was lost (SQLState class {@code 08}, or the server went away). */
    CONNECTION_LOST,
    /** Anything else. */
    OTHER
  }

  static final int DUPLICATE_KEY = 1062;
  static final int LOCK_WAIT_TIMEOUT = 1205;
  static final int DEADLOCK = 1213;
  /** {@code ER_CONNECTION_KILLED}: the session was killed. */
  static final int CONNECTION_KILLED = 1927;
  /** The server is shutting down. */
  static final int SERVER_SHUTDOWN = 1053;

  private MariaDbErrors() {}

  /** The kind of {@code e}, reading its chain of causes and next exceptions. */
  static Kind classify(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException s) {
        Kind k = kindOf(s);
        if (k != Kind.OTHER) {
          return k;
        }
      }
    }
    return Kind.OTHER;
  }

  private static Kind kindOf(SQLException e) {
    String state = e.getSQLState();
    int code = e.getErrorCode();
    if (code == DEADLOCK || code == LOCK_WAIT_TIMEOUT || "40001".equals(state)) {
      return Kind.SERIALIZATION_FAILURE;
    }
    if (code == DUPLICATE_KEY) {
      return Kind.UNIQUE_VIOLATION;
    }
    if (code == CONNECTION_KILLED || code == SERVER_SHUTDOWN || (state != null && state.startsWith("08"))
        || e instanceof SQLNonTransientConnectionException || e instanceof SQLTransientConnectionException) {
      return Kind.CONNECTION_LOST;
    }
    return Kind.OTHER;
  }
}
