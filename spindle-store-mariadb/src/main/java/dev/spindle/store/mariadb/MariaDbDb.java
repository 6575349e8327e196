package dev.spindle.store.mariadb;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect.ErrorKind;
import dev.spindle.store.jdbc.internal.SqlDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The MariaDB store's connections: a HikariCP pool whose sessions run at READ COMMITTED with {@code
 * sql_mode} {@value #SQL_MODE}, and one transaction per store call, retried on deadlocks, lock
 * waits and unique-key races (and a read also on a lost connection). Errors become {@link
 * StoreException}s that name the operation and the location, never the password. Thread-safe.
 */
final class MariaDbDb implements SqlDb<MariaDbDb.Conn>, AutoCloseable {
  /** The session's {@code sql_mode}: quoted identifiers, {@code ||} as concatenation, strict tables. */
  static final String SQL_MODE = "ANSI_QUOTES,PIPES_AS_CONCAT,STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION";
  private static final int ATTEMPTS = 8;

  private final String describe;
  private final HikariDataSource pool;
  private volatile boolean closed;

  /** A connection inside one transaction; its statements close when the transaction ends. */
  static final class Conn implements JdbcConn {
    private final Connection connection;
    private final List<PreparedStatement> open = new ArrayList<>();

    Conn(Connection connection) {
      this.connection = connection;
    }

    @Override
    public PreparedStatement ps(String sql) throws SQLException {
      PreparedStatement ps = connection.prepareStatement(sql);
      open.add(ps);
      return ps;
    }

    @Override
    public Connection jdbc() {
      return connection;
    }

    void closeStatements() {
      for (PreparedStatement ps : open) {
        try {
          ps.close();
        } catch (SQLException e) {
          // closing anyway
        }
      }
      open.clear();
    }
  }

  /**
   * Opens the pool and one connection, so that a wrong address or password fails here.
   *
   * @param props the driver's properties: user, password, options
   */
  MariaDbDb(String describe, String jdbcUrl, Properties props, int maxConnections) {
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
  public <T> T write(String operation, Work<Conn, T> work) {
    return tx(operation, work, false);
  }

  @Override
  public <T> T read(String operation, Work<Conn, T> work) {
    return tx(operation, work, true);
  }

  private <T> T tx(String operation, Work<Conn, T> work, boolean reads) {
    for (int attempt = 1; ; attempt++) {
      checkOpen();
      Connection jdbc;
      try {
        jdbc = pool.getConnection();
      } catch (SQLException e) {
        checkOpen();
        throw translate(e, operation);
      }
      Conn c = new Conn(jdbc);
      boolean committing = false;
      try {
        T result = work.run(c);
        committing = true;
        jdbc.commit();
        return result;
      } catch (SQLException e) {
        rollbackQuietly(jdbc);
        ErrorKind kind = MariaDbDialect.INSTANCE.classify(e);
        boolean retry = kind == ErrorKind.SERIALIZATION_FAILURE || kind == ErrorKind.UNIQUE_VIOLATION
            || reads && kind == ErrorKind.CONNECTION_LOST;
        if (retry && attempt < ATTEMPTS) {
          LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(100_000, 2_000_000L * attempt));
          continue;
        }
        checkOpen();
        if (committing && !reads && kind == ErrorKind.CONNECTION_LOST) {
          throw new StoreException(StoreException.Reason.UNAVAILABLE, "the connection to the MariaDB server was lost"
              + " while committing (" + operation + " on " + describe + "): the transaction may or may not have been"
              + " applied. " + message(e), e);
        }
        throw translate(e, operation);
      } catch (RuntimeException | Error e) {
        rollbackQuietly(jdbc);
        throw e;
      } finally {
        c.closeStatements();
        try {
          jdbc.close();
        } catch (SQLException e) {
          // returned to the pool anyway
        }
      }
    }
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

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      // the connection is broken: the pool replaces it
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreException(StoreException.Reason.CLOSED, "the job store " + describe + " is closed");
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      pool.close();
    }
  }
}
