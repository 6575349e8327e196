package dev.spindle.store.postgres.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.internal.SqlConn;
import dev.spindle.store.jdbc.internal.SqlTransactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The PostgreSQL connections of one store, the engine's connection layer ({@link SqlTransactions})
 * on a HikariCP pool: one transaction per operation (READ COMMITTED) on a pooled connection,
 * retried a few times on deadlocks, serialization failures and unique-key races, reads also on a
 * lost connection; and the server's errors translated. Thread-safe.
 */
public final class Db extends SqlTransactions<Db.Conn> {
  private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_.]+");

  private final String describe;
  private final HikariDataSource pool;
  private final String jdbcUrl;
  private final Properties props;

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
  public static final class Conn extends SqlConn {
    /** Wraps {@code connection} (the store's or a caller's, inside its open transaction). */
    public Conn(Connection connection) {
      super(connection, false);
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
    super(PostgresDialect.INSTANCE, Duration.ZERO, false, describe);
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

  /** A connection of the pool for each attempt (READ COMMITTED, auto-commit off). */
  @Override
  protected Conn acquire(boolean write) throws SQLException {
    return new Conn(pool.getConnection());
  }

  /** Closes the transaction's statements and returns the connection to the pool. */
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
    return lostAtCommit ? PgErrors.lostAtCommit(e, operation, describe) : PgErrors.translate(e, operation, describe);
  }

  /** The translated exception for an error outside {@link #write}/{@link #read}. */
  public StoreException translate(SQLException e, String operation) {
    return PgErrors.translate(e, operation, describe);
  }

  /** Closes the pool. Idempotent. */
  @Override
  public void close() {
    if (shutDown()) {
      pool.close();
    }
  }
}
