package dev.spindle.store.jdbc.internal;

import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A dialect for the engine's own tests (which cannot use a database module's): the engine's
 * defaults for everything a dialect may leave out, the rest as given. Every error is {@link
 * ErrorKind#OTHER}. Immutable.
 */
record TestDialect(String name, Writers writers, Batching batching, String idsParameter,
    Optional<ArrayFinishes> arrayFinishes) implements JdbcDialect {
  /** One writer, statement batches, ids as a JSON array (as SQLite binds them). */
  static final TestDialect STANDARD = new TestDialect("standard", Writers.ONE_WRITER, Batching.STATEMENT_BATCHES,
      "SELECT value FROM json_each(?)", Optional.empty());

  /** A pooled dialect of column-array rounds with {@code parts} for its finishing statements. */
  static TestDialect arrays(Optional<ArrayFinishes> parts) {
    return new TestDialect("arrays", Writers.POOL, Batching.ARRAY_ROUNDS, "?", parts);
  }

  @Override
  public ErrorKind classify(SQLException e) {
    return ErrorKind.OTHER;
  }
}
