package dev.spindle.store.mariadb;

import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * MariaDB's {@link JdbcDialect} (10.6 or later, InnoDB, {@code sql_mode} with {@code ANSI_QUOTES},
 * READ COMMITTED): row locks ({@code FOR UPDATE}, {@code LOCK IN SHARE MODE}, {@code FOR UPDATE
 * SKIP LOCKED}), upserts as {@code ON DUPLICATE KEY UPDATE}, no {@code UPDATE ... RETURNING} (the
 * engine reads the rows it locked instead), id lists as one JSON array parameter through {@code
 * JSON_TABLE}, and the engine's defaults for the rest: flow keys locked as rows of {@code
 * spindle_flow_state} ({@code FOR UPDATE SKIP LOCKED}: MariaDB has no transaction-scoped try-lock,
 * {@code GET_LOCK} holds for the session), text as a case-folded {@code LIKE} on the arguments or
 * the error, every job in {@code spindle_jobs}. Stateless.
 */
final class MariaDbDialect implements JdbcDialect {
  /** The one instance. */
  static final MariaDbDialect INSTANCE = new MariaDbDialect();

  static final int DUPLICATE_KEY = 1062;
  static final int LOCK_WAIT_TIMEOUT = 1205;
  static final int DEADLOCK = 1213;
  /** {@code ER_CONNECTION_KILLED}: the session was killed. */
  static final int CONNECTION_KILLED = 1927;
  /** {@code ER_SERVER_SHUTDOWN}. */
  static final int SERVER_SHUTDOWN = 1053;

  private MariaDbDialect() {}

  @Override
  public String name() {
    return "mariadb";
  }

  /**
   * A deadlock (1213) or lock wait timeout (1205) is a serialization failure, a duplicate key (1062)
   * a unique violation, SQLState class 08, a killed session or a server shutting down a lost
   * connection; the chain of causes is read.
   */
  @Override
  public ErrorKind classify(SQLException e) {
    return JdbcDialect.firstKnown(e, MariaDbDialect::kindOf);
  }

  private static ErrorKind kindOf(SQLException e) {
    String state = e.getSQLState();
    int code = e.getErrorCode();
    if (code == DEADLOCK || code == LOCK_WAIT_TIMEOUT || "40001".equals(state)) {
      return ErrorKind.SERIALIZATION_FAILURE;
    }
    if (code == DUPLICATE_KEY) {
      return ErrorKind.UNIQUE_VIOLATION;
    }
    if (code == CONNECTION_KILLED || code == SERVER_SHUTDOWN || (state != null && state.startsWith("08"))
        || e instanceof SQLNonTransientConnectionException || e instanceof SQLTransientConnectionException) {
      return ErrorKind.CONNECTION_LOST;
    }
    return ErrorKind.OTHER;
  }

  /** A pool of connections writing concurrently under InnoDB row locks. */
  @Override
  public Writers writers() {
    return Writers.POOL;
  }

  /** JDBC batches: Connector/J sends a batch as one bulk command (MariaDB has no array parameters). */
  @Override
  public Batching batching() {
    return Batching.STATEMENT_BATCHES;
  }

  @Override
  public String forShare() {
    return " LOCK IN SHARE MODE";
  }

  /** {@code FOR UPDATE SKIP LOCKED}: MariaDB has no {@code OF}, so it applies to every table the SELECT reads. */
  @Override
  public String forUpdateSkipLocked(String alias) {
    return " FOR UPDATE SKIP LOCKED";
  }

  /** {@code column + 0}: an expression, so the optimizer does not pick the column's index for it. */
  @Override
  public String unindexed(String column) {
    return "(" + column + " + 0)";
  }

  /**
   * {@code INSERT IGNORE}: a duplicate changes nothing and counts 0 rows ({@code ON DUPLICATE KEY
   * UPDATE c = c} would count it as found, and {@code defineLimit} reads the count). {@code IGNORE}
   * also stores a value too long for its column cut short, with a warning (a paused queue's name
   * over 191 characters, a schedule's over 255).
   */
  @Override
  public String insertIgnoring(String table, String columns, String values, String conflictColumns) {
    return "INSERT IGNORE INTO " + table + " (" + columns + ") VALUES " + values;
  }

  @Override
  public String insertSelectIgnoring(String table, String columns, String select, String conflictColumns) {
    return "INSERT IGNORE INTO " + table + " (" + columns + ") " + select;
  }

  @Override
  public String onConflictUpdate(String conflictColumns) {
    return " ON DUPLICATE KEY UPDATE ";
  }

  @Override
  public String proposed(String column) {
    return "VALUES(" + column + ")";
  }

  /** False: MariaDB has {@code DELETE ... RETURNING} but no {@code UPDATE ... RETURNING}. */
  @Override
  public boolean returning() {
    return false;
  }

  /** False: a trigger may not change {@code spindle_deps}, which retention's DELETE reads. */
  @Override
  public boolean deletesDependentRows() {
    return false;
  }

  @Override
  public String namesParameter() {
    return "SELECT t.name FROM JSON_TABLE(?, '$[*]' COLUMNS (name VARCHAR(255) PATH '$')) AS t";
  }

  /** The ids read into a derived table first: MariaDB refuses {@code LIMIT} in an {@code IN} subquery. */
  @Override
  public String limitedIds(String select) {
    return "SELECT id FROM (" + select + ") AS limited_ids";
  }

  @Override
  public String idsParameter() {
    return "SELECT ids.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS ids";
  }
}
