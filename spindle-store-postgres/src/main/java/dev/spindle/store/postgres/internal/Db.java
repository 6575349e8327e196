package dev.spindle.store.postgres.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.internal.SqlConn;
import dev.spindle.store.jdbc.internal.SqlPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The PostgreSQL connections of one store: the engine's pool ({@link SqlPool}), one READ COMMITTED
 * transaction per operation, retried on deadlocks, serialization failures and unique-key races,
 * reads also on a lost connection; the server's errors translated ({@link PgErrors}); and the
 * statement of transaction-local settings ({@link #setLocalSql}). Thread-safe.
 */
public final class Db extends SqlPool<Db.Conn> {
  /** The server's {@code clock_timestamp()} in microseconds since the epoch, for the store's clock. */
  public static final String NOW_MICROS = "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint";

  private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_.]+");

  /**
   * The statement that sets {@code namesAndValues} (pairs of a setting's name and its value) for the
   * rest of the transaction, as literals, so that it can lead a statement sent in the same round trip
   * (as the engine's claims send theirs).
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
    super(PostgresDialect.INSTANCE, new Server("PostgreSQL", describe, jdbcUrl, props, maxConnections, null));
  }

  @Override
  public Conn wrap(Connection connection) {
    return new Conn(connection);
  }

  /** The translated exception for an error during {@code operation} ({@link PgErrors#translate}). */
  @Override
  public StoreException translate(SQLException e, String operation) {
    return PgErrors.translate(e, operation, describe());
  }
}
