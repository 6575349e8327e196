package dev.spindle.store.postgres.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.internal.SqlDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * The PostgreSQL connections of one store: a HikariCP pool, one transaction per operation (READ
 * COMMITTED), retried a few times on deadlocks, serialization failures and unique-key races, and
 * error translation. Thread-safe.
 */
public final class Db implements SqlDb<Db.Conn>, AutoCloseable {
  private static final int ATTEMPTS = 5;
  private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_.]+");

  private final String describe;
  private final HikariDataSource pool;
  private final String jdbcUrl;
  private final Properties props;
  private volatile boolean closed;

  /**
   * The statement that sets {@code namesAndValues} (pairs of a setting's name and its value) for the
   * rest of the transaction, as literals, so that it can lead a statement sent in the same round trip
   * ({@link Conn#queryAfterSetLocal}).
   *
   * @throws IllegalArgumentException if they are not pairs, or a name or value is not a plain word
   */
  public static String setLocalSql(String... namesAndValues) {
    if (namesAndValues.length == 0 || namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("pairs of a setting's name and value, not " + namesAndValues.length);
    }
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < namesAndValues.length; i += 2) {
      sql.append(i == 0 ? "" : ", ").append("set_config('").append(word(namesAndValues[i])).append("', '")
          .append(word(namesAndValues[i + 1])).append("', true)");
    }
    return sql.toString();
  }

  private static String word(String s) {
    if (!WORD.matcher(s).matches()) {
      throw new IllegalArgumentException("a setting's name or value must be a plain word, not '" + s + "'");
    }
    return s;
  }

  /**
   * A connection inside one transaction; statements prepared through {@link #ps} are closed when
   * the transaction ends (pgjdbc keeps the server-side prepared statements in its own per-connection
   * cache). Used by one thread at a time.
   */
  public static final class Conn implements JdbcConn {
    private final Connection connection;
    private final List<PreparedStatement> open = new ArrayList<>();

    /** Wraps {@code connection} (the store's or a caller's, inside its open transaction). */
    public Conn(Connection connection) {
      this.connection = connection;
    }

    /** A prepared statement for {@code sql}, closed at the end of this transaction. */
    @Override
    public PreparedStatement ps(String sql) throws SQLException {
      PreparedStatement ps = connection.prepareStatement(sql);
      open.add(ps);
      return ps;
    }

    /**
     * Sets planner or other settings for the rest of this transaction ({@code SET LOCAL}), in one
     * statement: pairs of a setting's name and its value ({@link #setLocalSql}).
     */
    public void setLocal(String... namesAndValues) throws SQLException {
      try (ResultSet rs = ps(setLocalSql(namesAndValues)).executeQuery()) {
        rs.next();
      }
    }

    /**
     * Runs a statement prepared as {@link #setLocalSql} {@code + "; " +} a query, both sent in one
     * round trip, and returns the query's rows: the settings apply to the query's planning and to the
     * rest of the transaction.
     */
    public ResultSet queryAfterSetLocal(PreparedStatement ps) throws SQLException {
      ps.execute(); // the settings' row
      if (!ps.getMoreResults()) {
        throw new SQLException("the statement sent after the planner settings returned no rows");
      }
      return ps.getResultSet();
    }

    /** Runs a one-off statement (DDL) without caching it. */
    public void execOnce(String sql) throws SQLException {
      try (Statement st = connection.createStatement()) {
        st.execute(sql);
      }
    }

    /** The JDBC connection. */
    @Override
    public Connection jdbc() {
      return connection;
    }

    /** Closes the statements of this transaction. */
    public void closeStatements() {
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
   * Opens the pool (and one connection, so a wrong address or password fails here).
   *
   * @param describe the location without secrets, for messages
   * @param jdbcUrl the JDBC URL without credentials
   * @param props the driver properties (user, password, options)
   * @param maxConnections the pool size
   */
  public Db(String describe, String jdbcUrl, Properties props, int maxConnections) {
    this.describe = describe;
    this.jdbcUrl = jdbcUrl;
    this.props = props;
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(jdbcUrl);
    cfg.setDataSourceProperties(props);
    cfg.setAutoCommit(false);
    cfg.setMaximumPoolSize(maxConnections);
    cfg.setMinimumIdle(1);
    cfg.setPoolName("spindle-pg");
    cfg.setConnectionTimeout(10_000);
    cfg.setInitializationFailTimeout(10_000);
    cfg.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    try {
      this.pool = new HikariDataSource(cfg);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() instanceof SQLException s ? s : e;
      throw new StoreException(StoreException.Reason.CANNOT_OPEN, "cannot connect to the PostgreSQL store "
          + describe + ": " + PgErrors.message(cause), e);
    }
  }

  /** A new connection outside the pool (LISTEN), with the store's settings; the caller closes it. */
  public Connection dedicated() throws SQLException {
    Connection c = java.sql.DriverManager.getConnection(jdbcUrl, props);
    c.setAutoCommit(true);
    return c;
  }

  /** Runs {@code work} in a transaction that may write; retried on transient conflicts. */
  @Override
  public <T> T write(String operation, Work<Conn, T> work) {
    return tx(operation, work, false);
  }

  /**
   * Runs {@code work} in a transaction that reads; also run again, on another connection, when its
   * connection was lost ({@link PgErrors#isConnectionLost}).
   */
  @Override
  public <T> T read(String operation, Work<Conn, T> work) {
    return tx(operation, work, true);
  }

  private <T> T tx(String operation, Work<Conn, T> work, boolean reads) {
    checkOpen();
    for (int attempt = 1; ; attempt++) {
      Connection jdbc;
      try {
        jdbc = pool.getConnection();
      } catch (SQLException e) {
        checkOpen();
        throw PgErrors.translate(e, operation, describe);
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
        if ((PgErrors.isRetryable(e) || reads && PgErrors.isConnectionLost(e)) && attempt < ATTEMPTS) {
          LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(100_000, 2_000_000L * attempt));
          continue;
        }
        checkOpen();
        if (committing && !reads && PgErrors.isConnectionLost(e)) {
          throw PgErrors.lostAtCommit(e, operation, describe);
        }
        throw PgErrors.translate(e, operation, describe);
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

  /** The translated exception for an error outside {@link #write}/{@link #read}. */
  public StoreException translate(SQLException e, String operation) {
    return PgErrors.translate(e, operation, describe);
  }

  /** Closes the pool. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pool.close();
  }
}
