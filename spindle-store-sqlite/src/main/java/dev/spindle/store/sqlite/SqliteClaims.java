package dev.spindle.store.sqlite;

import dev.spindle.store.jdbc.internal.SqlReturningClaims;
import dev.spindle.store.jdbc.internal.TraceContextColumn;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.JobRows;
import dev.spindle.store.sqlite.internal.SqliteDialect;

/**
 * The claim statements of {@link SqliteJobStore}: the engine's {@link SqlReturningClaims} in
 * SQLite's SQL (ready indexes named with {@code INDEXED BY}, task filters through {@code
 * json_each}), trace contexts read from {@code spindle_trace}. Stateless.
 */
final class SqliteClaims {
  private SqliteClaims() {}

  /** New claim statements for one store (each store keeps its own cache of keyless queues). */
  static SqlReturningClaims<Db.Conn> create() {
    return new SqlReturningClaims<>(SqliteDialect.INSTANCE, JobRows.CLAIM_COLUMNS, TraceContextColumn::read);
  }
}
