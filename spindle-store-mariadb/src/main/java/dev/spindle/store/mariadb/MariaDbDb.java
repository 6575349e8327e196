package dev.spindle.store.mariadb;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.JdbcDialect.ErrorKind;
import dev.spindle.store.jdbc.internal.SqlConn;
import dev.spindle.store.jdbc.internal.SqlTransactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * The MariaDB store's connections: a HikariCP pool whose sessions run at READ COMMITTED with {@code
 * sql_mode} {@value #SQL_MODE}, as the strategy of the engine's connection layer ({@link
 * SqlTransactions}: one transaction per call, retried on deadlocks, lock waits, unique-key races and
 * lost reads). Errors become {@link StoreException}s that name the operation and the location,
 * never the password. Thread-safe.
 */
final class MariaDbDb extends SqlTransactions<MariaDbDb.Conn> implements AutoCloseable {
  /** The session's {@code sql_mode}: quoted identifiers, {@code ||} as concatenation, strict tables. */
  static final String SQL_MODE = "ANSI_QUOTES,PIPES_AS_CONCAT,STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION";

  private final String describe;
  private final HikariDataSource pool;

  /** A connection inside one transaction; its statements close when the transaction ends. */
  static final class Conn extends SqlConn {
    Conn(Connection connection) {
      super(connection, false);
    }
  }

  /**
   * Opens the pool and one connection, so that a wrong address or password fails here.
   *
   * @param props the driver's properties: user, password, options
   */
  MariaDbDb(String describe, String jdbcUrl, Properties props, int maxConnections) {
    super(MariaDbDialect.INSTANCE, Duration.ZERO, false, describe);
    this.describe = describe;
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(jdbcUrl);
    cfg.setDataSourceProperties(props);
    cfg.setAutoCommit(false);
    cfg.setMaximumPoolSize(maxConnections);
    cfg.setMinimumIdle(1);
    cfg.setPoolName("spindle-mariadb");
    cfg.setConnectionTimeout(10_000);
    cfg.setInitializationFailTimeout(10_000);
    cfg.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    cfg.setConnectionInitSql("SET SESSION sql_mode = '" + SQL_MODE + "', time_zone = '+00:00'");
    try {
      this.pool = new HikariDataSource(cfg);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() instanceof SQLException s ? s : e;
      throw new StoreException(StoreException.Reason.CANNOT_OPEN, "cannot connect to the MariaDB store " + describe
          + ": " + message(cause), e);
    }
  }

  @Override
  protected Conn acquire(boolean write) throws SQLException {
    return new Conn(pool.getConnection());
  }

  @Override
  protected void release(Conn c, boolean write) {
    c.closeStatements();
    try {
      c.jdbc().close();
    } catch (SQLException e) {
      // returned to the pool anyway
    }
  }

  /** Nothing: auto-commit is off, a transaction begins with its first statement. */
  @Override
  protected void begin(Conn c, boolean write) {}

  @Override
  protected void commit(Conn c) throws SQLException {
    c.jdbc().commit();
  }

  @Override
  protected void rollback(Conn c) {
    try {
      c.jdbc().rollback();
    } catch (SQLException e) {
      // the connection is broken: the pool replaces it
    }
  }

  @Override
  protected StoreException translate(SQLException e, String operation, boolean lostAtCommit) {
    if (lostAtCommit) {
      return new StoreException(StoreException.Reason.UNAVAILABLE, "the connection to the MariaDB server was lost"
          + " while committing (" + operation + " on " + describe + "): the transaction may or may not have been"
          + " applied. " + message(e), e);
    }
    return translate(e, operation);
  }

  /** The store exception for {@code e}, raised during {@code operation}. */
  StoreException translate(SQLException e, String operation) {
    String at = " (" + operation + " on " + describe + ")";
    int code = e.getErrorCode();
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    ErrorKind kind = MariaDbDialect.INSTANCE.classify(e);
    if (kind == ErrorKind.CONNECTION_LOST) {
      return new StoreException(StoreException.Reason.UNAVAILABLE, "the MariaDB server is unreachable or shutting"
          + " down" + at + "; nothing was written, retry later. " + message(e), e);
    }
    if (code == 1045 || state.startsWith("28")) {
      return new StoreException(StoreException.Reason.CANNOT_OPEN, "MariaDB refused the credentials" + at
          + ": check MARIADB_PASSWORD or the password file. " + message(e), e);
    }
    if (code == 1114 || code == 1021) {
      return new StoreException(StoreException.Reason.DISK_FULL, "the MariaDB server's disk or table is full" + at
          + "; the transaction was rolled back. " + message(e), e);
    }
    if (code == 1290 || code == 1792) {
      return new StoreException(StoreException.Reason.READ_ONLY, "the MariaDB server is read-only" + at
          + "; nothing was written. " + message(e), e);
    }
    if (kind == ErrorKind.SERIALIZATION_FAILURE) {
      return new StoreException(StoreException.Reason.BUSY, "MariaDB kept aborting the transaction (deadlocks or"
          + " lock waits)" + at + "; nothing was written, retry later. " + message(e), e);
    }
    return new StoreException(StoreException.Reason.IO, "MariaDB error" + at + ": " + message(e), e);
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  @Override
  public void close() {
    if (shutDown()) {
      pool.close();
    }
  }
}
