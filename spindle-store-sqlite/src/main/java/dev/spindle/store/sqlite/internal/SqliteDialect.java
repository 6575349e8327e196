package dev.spindle.store.sqlite.internal;

import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.SQLException;
import java.util.List;
import org.sqlite.SQLiteErrorCode;

/**
 * SQLite's {@link JdbcDialect}: no row locks (the store's writes are serialized), {@code max(a, b)},
 * id lists as a JSON array through {@code json_each}, text through the trigram index {@code
 * spindle_jobs_text}, and the id floor raised before deletes (SQLite would reuse the highest id).
 * Stateless.
 */
public final class SqliteDialect implements JdbcDialect {
  /** The one instance. */
  public static final SqliteDialect INSTANCE = new SqliteDialect();

  private static final String TEXT_FROM =
      "spindle_jobs_text CROSS JOIN spindle_jobs ON spindle_jobs.id = spindle_jobs_text.rowid";

  private SqliteDialect() {}

  @Override
  public String name() {
    return "sqlite";
  }

  /**
   * SQLITE_BUSY, SQLITE_LOCKED and SQLITE_PROTOCOL are {@code BUSY}; a UNIQUE or PRIMARY KEY
   * constraint {@code UNIQUE_VIOLATION}.
   */
  @Override
  public ErrorKind classify(SQLException e) {
    if (SqliteErrors.isBusy(e)) {
      return ErrorKind.BUSY;
    }
    String message = String.valueOf(e.getMessage());
    if (SqliteErrors.primaryCode(e) == SQLiteErrorCode.SQLITE_CONSTRAINT.code
        && (message.contains("UNIQUE constraint failed") || message.contains("PRIMARY KEY"))) {
      return ErrorKind.UNIQUE_VIOLATION;
    }
    return ErrorKind.OTHER;
  }

  /** One writer connection per process: SQLite serializes writers anyway. */
  @Override
  public Writers writers() {
    return Writers.ONE_WRITER;
  }

  /** JDBC batches: a statement is a function call into the embedded library, not a round trip. */
  @Override
  public Batching batching() {
    return Batching.STATEMENT_BATCHES;
  }

  @Override
  public String greatest(String a, String b) {
    return "max(" + a + ", " + b + ")";
  }

  @Override
  public String auditUserColumn() {
    return "user";
  }

  @Override
  public String idsParameter() {
    return "SELECT value FROM json_each(?)";
  }

  @Override
  public String namesParameter() {
    return idsParameter();
  }

  /** {@code INDEXED BY}: the claims follow the ready index meant for them whatever the statistics say. */
  @Override
  public String indexedBy(String index) {
    return " INDEXED BY " + index;
  }

  /** {@code +column}: SQLite's way to keep the planner off the column's index. */
  @Override
  public String unindexed(String column) {
    return "+" + column;
  }

  /**
   * The trigram index finds every row holding the text as a substring (case folded), newest match
   * first (ordered by the index's rowid): a page stops after {@code limit} matches.
   */
  @Override
  public TextMatch textMatch(String text) {
    return new TextMatch(TEXT_FROM, "spindle_jobs_text.rowid", " AND spindle_jobs_text MATCH ?",
        List.of("\"" + text.replace("\"", "\"\"") + "\""), true);
  }

  /** Records the highest id so far, so no id is ever handed out twice. */
  @Override
  public void beforeDeletingJobs(JdbcConn c) throws SQLException {
    c.ps("UPDATE spindle_meta SET value = max(value, coalesce((SELECT max(id) FROM spindle_jobs), 0))"
        + " WHERE key = 'job_id'").executeUpdate();
  }
}
