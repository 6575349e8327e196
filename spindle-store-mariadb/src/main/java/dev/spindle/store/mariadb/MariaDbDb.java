package dev.spindle.store.mariadb;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.StoreException.Reason;
import dev.spindle.store.jdbc.JdbcDialect.ErrorKind;
import dev.spindle.store.jdbc.internal.SqlCallerEnqueue;
import dev.spindle.store.jdbc.internal.SqlConn;
import dev.spindle.store.jdbc.internal.SqlPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The MariaDB store's connections: the engine's pool ({@link SqlPool}) whose sessions run with
 * {@code sql_mode} {@value #SQL_MODE} and UTC; MariaDB's errors translated by their codes, and its
 * session settings for the caller's connection of transactional enqueue. Thread-safe.
 */
final class MariaDbDb extends SqlPool<SqlConn> {
  /** The session's {@code sql_mode}: quoted identifiers, {@code ||} as concatenation, strict tables. */
  static final String SQL_MODE = "ANSI_QUOTES,PIPES_AS_CONCAT,STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION";
  /** The server's time in microseconds since the epoch, independent of the session's time zone. */
  static final String NOW_MICROS = "SELECT CAST(UNIX_TIMESTAMP(SYSDATE(6)) * 1000000 AS SIGNED)";
  /** The database a connection reaches: its name, and the server's host, port and data directory. */
  static final String IDENTITY = "SELECT CONCAT(DATABASE(), '@', @@hostname, ':', @@port, ':', @@datadir)";

  /** Opens the pool and one connection, so that a wrong address or password fails here. */
  MariaDbDb(Server server) {
    super(MariaDbDialect.INSTANCE, server);
  }

  /** The session setup of a pooled connection. */
  static String sessionSql() {
    return "SET SESSION sql_mode = '" + SQL_MODE + "', time_zone = '+00:00'";
  }

  /** A connection inside one transaction; its statements close when the transaction ends. */
  @Override
  public SqlConn wrap(Connection connection) {
    return new SqlConn(connection, false);
  }

  @Override
  public StoreException translate(SQLException e, String operation) {
    return translate(e, operation, describe());
  }

  /** MariaDB's error {@code e} during {@code operation} at {@code describe}, as a store error. */
  static StoreException translate(SQLException e, String operation, String describe) {
    return translate(ERRORS, "MariaDB", e, operation, describe);
  }

  /** MariaDB's errors by kind, code or SQLState; the first row that covers one wins. */
  private static final List<ErrorRow> ERRORS = List.of(
      new ErrorRow(e -> MariaDbDialect.INSTANCE.classify(e) == ErrorKind.CONNECTION_LOST, Reason.UNAVAILABLE,
          "the MariaDB server is unreachable or shutting down", "; nothing was written, retry later."),
      new ErrorRow(e -> e.getErrorCode() == 1045 || String.valueOf(e.getSQLState()).startsWith("28"),
          Reason.CANNOT_OPEN, "MariaDB refused the credentials", ": check MARIADB_PASSWORD or the password file."),
      new ErrorRow(e -> e.getErrorCode() == 1114 || e.getErrorCode() == 1021, Reason.DISK_FULL,
          "the MariaDB server's disk or table is full", "; the transaction was rolled back."),
      new ErrorRow(e -> e.getErrorCode() == 1290 || e.getErrorCode() == 1792, Reason.READ_ONLY,
          "the MariaDB server is read-only", "; nothing was written."),
      new ErrorRow(e -> MariaDbDialect.INSTANCE.classify(e) == ErrorKind.SERIALIZATION_FAILURE, Reason.BUSY,
          "MariaDB kept aborting the transaction (deadlocks or lock waits)", "; nothing was written, retry later."));

  /** The store's {@code sql_mode} on the caller's connection for transactional enqueue, the caller's restored after. */
  static SqlCallerEnqueue.Setting<SqlConn> callerSession() {
    return new SqlCallerEnqueue.Setting<>("SELECT @@SESSION.sql_mode", "SET SESSION sql_mode = ?", SQL_MODE);
  }
}
