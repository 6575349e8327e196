package dev.spindle.store.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The connection strategy of a server database (PostgreSQL, MariaDB): the engine's connection layer
 * ({@link SqlTransactions}) on a HikariCP pool. Each transaction takes a pooled connection at READ
 * COMMITTED with auto-commit off, and returns it with its statements closed; which errors are
 * retried is the dialect's {@link JdbcDialect#classify}. A database supplies only its JDBC URL, driver
 * properties, an optional session setup statement, how its connections are wrapped ({@link #wrap})
 * and how its errors read ({@link #translate(SQLException, String)}). Messages name the location
 * ({@link Server#describe}), never the password. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public abstract class SqlPool<C extends SqlConn> extends SqlTransactions<C> {
  /** How long opening, and taking a connection from the pool, waits (ms). */
  static final long CONNECT_TIMEOUT_MS = 10_000;

  private final Server server;
  private final HikariDataSource pool;

  /**
   * Where a server database is and how to connect to it.
   *
   * @param product the database's name in messages ({@code "PostgreSQL"})
   * @param describe the store's location without secrets
   * @param jdbcUrl the JDBC URL, without credentials
   * @param properties the driver's properties (user, password, options); never shown
   * @param maxConnections the pool's size (at least 1)
   * @param sessionSql a statement every new connection runs first, or null
   */
  public record Server(String product, String describe, String jdbcUrl, Properties properties, int maxConnections,
      @Nullable String sessionSql) {}

  /**
   * Opens the pool and one connection, so that a wrong address or password fails here.
   *
   * @throws StoreException ({@link StoreException.Reason#CANNOT_OPEN}) if the server cannot be reached
   */
  protected SqlPool(JdbcDialect dialect, Server server) {
    super(dialect, Duration.ZERO, false, server.describe());
    this.server = server;
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(server.jdbcUrl());
    cfg.setDataSourceProperties(server.properties());
    cfg.setAutoCommit(false);
    cfg.setMaximumPoolSize(server.maxConnections());
    cfg.setMinimumIdle(1);
    cfg.setPoolName("spindle-" + dialect.name());
    cfg.setConnectionTimeout(CONNECT_TIMEOUT_MS);
    cfg.setInitializationFailTimeout(CONNECT_TIMEOUT_MS);
    cfg.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    if (server.sessionSql() != null) {
      cfg.setConnectionInitSql(server.sessionSql());
    }
    try {
      this.pool = new HikariDataSource(cfg);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() instanceof SQLException s ? s : e;
      throw new StoreException(StoreException.Reason.CANNOT_OPEN, "cannot connect to the " + server.product()
          + " store " + server.describe() + ": " + message(cause), e);
    }
  }

  /** The store's connection type around a pooled (or the caller's) JDBC connection. */
  public abstract C wrap(Connection connection);

  /** The store exception for {@code e}, raised during {@code operation}, outside a commit. */
  public abstract StoreException translate(SQLException e, String operation);

  /** The store's location without secrets. */
  public final String describe() {
    return server.describe();
  }

  /** A new connection outside the pool (LISTEN, one-off reads), auto-commit on; the caller closes it. */
  public Connection dedicated() throws SQLException {
    Connection c = DriverManager.getConnection(server.jdbcUrl(), server.properties());
    c.setAutoCommit(true);
    return c;
  }

  /** A connection of the pool for each attempt (READ COMMITTED, auto-commit off). */
  @Override
  protected final C acquire(boolean write) throws SQLException {
    return wrap(pool.getConnection());
  }

  /** Closes the transaction's statements and returns the connection to the pool. */
  @Override
  protected final void release(C c, boolean write) {
    c.closeStatements();
    try {
      c.jdbc().close();
    } catch (SQLException e) {
      // returned to the pool anyway
    }
  }

  /** Nothing: auto-commit is off, a transaction begins with its first statement. */
  @Override
  protected final void begin(C c, boolean write) {}

  @Override
  protected final void commit(C c) throws SQLException {
    c.jdbc().commit();
  }

  /** Auto-commit on: each statement commits on its own; the pool turns it off again on release. */
  @Override
  protected final void beginOne(C c) throws SQLException {
    c.jdbc().setAutoCommit(true);
  }

  /** Nothing: the statements committed as they ran. */
  @Override
  protected final void endOne(C c) {}

  @Override
  protected final void rollback(C c) {
    try {
      c.jdbc().rollback();
    } catch (SQLException e) {
      // the connection is broken: the pool replaces it
    }
  }

  /**
   * {@link #translate(SQLException, String)}, except for a connection lost while committing: the
   * server may have committed before the answer was lost, so the message does not say that nothing
   * was written.
   */
  @Override
  protected final StoreException translate(SQLException e, String operation, boolean lostAtCommit) {
    if (!lostAtCommit) {
      return translate(e, operation);
    }
    return new StoreException(StoreException.Reason.UNAVAILABLE, "the connection to the " + server.product()
        + " server was lost while committing (" + operation + " on " + server.describe() + "): the transaction may"
        + " or may not have been applied; check before repeating it. " + message(e), e);
  }

  /**
   * A row of a database's table of errors: the errors it covers, the reason, and the message's words
   * before and after where the error happened.
   */
  public record ErrorRow(Predicate<SQLException> covers, StoreException.Reason reason, String before, String after) {}

  /**
   * The store exception for {@code e}, raised during {@code operation} on the store {@code where}:
   * by the first row of {@code table} that covers it, else {@link StoreException.Reason#IO} ("{@code
   * product} error").
   */
  public static StoreException translate(List<ErrorRow> table, String product, SQLException e, String operation,
      String where) {
    String at = " (" + operation + " on " + where + ")";
    for (ErrorRow row : table) {
      if (row.covers().test(e)) {
        return new StoreException(row.reason(), row.before() + at + row.after() + " " + message(e), e);
      }
    }
    return new StoreException(StoreException.Reason.IO, product + " error" + at + ": " + message(e), e);
  }

  /** A short message for {@code e}: its own text (the drivers never echo passwords). */
  public static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  /** Closes the pool once work in flight is done. Idempotent. */
  @Override
  public final void close() {
    if (shutDown()) {
      pool.close();
    }
  }
}
