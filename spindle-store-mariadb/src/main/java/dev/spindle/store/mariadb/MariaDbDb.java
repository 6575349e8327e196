package dev.spindle.store.mariadb;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.StoreException.Reason;
import dev.spindle.store.jdbc.JdbcDialect.ErrorKind;
import dev.spindle.store.jdbc.internal.SqlCallerEnqueue;
import dev.spindle.store.jdbc.internal.SqlConn;
import dev.spindle.store.jdbc.internal.SqlPool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * The MariaDB store's connections: the engine's pool ({@link SqlPool}) whose sessions run with
 * {@code sql_mode} {@value #SQL_MODE} and UTC; MariaDB's errors translated by their codes, and its
 * session settings for the caller's connection of transactional enqueue. Thread-safe.
 */
final class MariaDbDb extends SqlPool<MariaDbDb.Conn> {
  /** The session's {@code sql_mode}: quoted identifiers, {@code ||} as concatenation, strict tables. */
  static final String SQL_MODE = "ANSI_QUOTES,PIPES_AS_CONCAT,STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION";
  /** The server's time in microseconds since the epoch, independent of the session's time zone. */
  static final String NOW_MICROS = "SELECT CAST(UNIX_TIMESTAMP(SYSDATE(6)) * 1000000 AS SIGNED)";
  /** The database a connection reaches: its name, and the server's host, port and data directory. */
  static final String IDENTITY = "SELECT CONCAT(DATABASE(), '@', @@hostname, ':', @@port, ':', @@datadir)";

  /** A connection inside one transaction; its statements close when the transaction ends. */
  static final class Conn extends SqlConn {
    Conn(Connection connection) {
      super(connection, false);
    }
  }

  /** Opens the pool and one connection, so that a wrong address or password fails here. */
  MariaDbDb(Server server) {
    super(MariaDbDialect.INSTANCE, server);
  }

  /** The session setup of a pooled connection. */
  static String sessionSql() {
    return "SET SESSION sql_mode = '" + SQL_MODE + "', time_zone = '+00:00'";
  }

  @Override
  public Conn wrap(Connection connection) {
    return new Conn(connection);
  }

  @Override
  public StoreException translate(SQLException e, String operation) {
    String at = " (" + operation + " on " + describe() + ")";
    int code = e.getErrorCode();
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    ErrorKind kind = MariaDbDialect.INSTANCE.classify(e);
    if (kind == ErrorKind.CONNECTION_LOST) {
      return error(Reason.UNAVAILABLE, "the MariaDB server is unreachable or shutting down" + at
          + "; nothing was written, retry later. ", e);
    }
    if (code == 1045 || state.startsWith("28")) {
      return error(Reason.CANNOT_OPEN, "MariaDB refused the credentials" + at
          + ": check MARIADB_PASSWORD or the password file. ", e);
    }
    if (code == 1114 || code == 1021) {
      return error(Reason.DISK_FULL, "the MariaDB server's disk or table is full" + at
          + "; the transaction was rolled back. ", e);
    }
    if (code == 1290 || code == 1792) {
      return error(Reason.READ_ONLY, "the MariaDB server is read-only" + at + "; nothing was written. ", e);
    }
    if (kind == ErrorKind.SERIALIZATION_FAILURE) {
      return error(Reason.BUSY, "MariaDB kept aborting the transaction (deadlocks or lock waits)" + at
          + "; nothing was written, retry later. ", e);
    }
    return error(Reason.IO, "MariaDB error" + at + ": ", e);
  }

  private static StoreException error(Reason reason, String text, SQLException e) {
    return new StoreException(reason, text + message(e), e);
  }

  /** The store's {@code sql_mode} on the caller's connection for transactional enqueue, the caller's restored after. */
  static final class CallerSession implements SqlCallerEnqueue.Session<Conn> {
    @Override
    public String enter(Conn c) throws SQLException {
      String mode;
      try (ResultSet rs = c.ps("SELECT @@SESSION.sql_mode").executeQuery()) {
        rs.next();
        mode = rs.getString(1);
      }
      c.ps("SET SESSION sql_mode = '" + SQL_MODE + "'").execute();
      return mode;
    }

    @Override
    public void restore(Conn c, @Nullable String mode) throws SQLException {
      if (mode != null) {
        PreparedStatement ps = c.ps("SET SESSION sql_mode = ?");
        ps.setString(1, mode);
        ps.execute();
      }
    }
  }
}
