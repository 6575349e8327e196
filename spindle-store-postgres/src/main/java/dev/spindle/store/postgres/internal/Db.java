package dev.spindle.store.postgres.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.StoreException.Reason;
import dev.spindle.store.jdbc.internal.SqlConn;
import dev.spindle.store.jdbc.internal.SqlPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The PostgreSQL connections of one store: the engine's pool ({@link SqlPool}), one READ COMMITTED
 * transaction per operation, retried on deadlocks, serialization failures and unique-key races,
 * reads also on a lost connection; the server's errors translated ({@link #translate}); and the
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

  @Override
  public StoreException translate(SQLException e, String operation) {
    return translate(e, operation, describe());
  }

  /**
   * PostgreSQL's error {@code e} during {@code operation} on the store {@code where}, as a store
   * error that says what happened: by SQLSTATE ({@link #ERRORS}, the first matching row wins; any
   * other error is {@link Reason#IO}).
   */
  public static StoreException translate(SQLException e, String operation, String where) {
    return translate(ERRORS, "PostgreSQL", e, operation, where);
  }

  /** A row of the table: the SQLSTATEs it covers (whole codes, or a class as its leading characters). */
  private static ErrorRow row(List<String> states, Reason reason, String before, String after) {
    return new ErrorRow(e -> states.stream().anyMatch(PostgresDialect.state(e)::startsWith), reason, before, after);
  }

  private static final List<ErrorRow> ERRORS = List.of(
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

}
