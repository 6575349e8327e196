package dev.spindle.store.postgres.internal;

import dev.spindle.store.jdbc.internal.SqlJobRows;

/**
 * Row mapping of this store's jobs: {@link SqlJobRows}, shared with the other SQL store (state
 * codes, times in microseconds, the column list of job snapshots), named here so this store's
 * code reads {@code JobRows.WAITING}. Stateless.
 */
public final class JobRows extends SqlJobRows {
  private JobRows() {}
}
