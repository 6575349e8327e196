package dev.spindle.store.sqlite.internal;

import dev.spindle.store.jdbc.internal.SqlJobRows;
import dev.spindle.store.jdbc.internal.TraceContextColumn;

/**
 * Row mapping of this store's jobs: {@link SqlJobRows} (state codes, times in microseconds), named
 * here so this store's code reads {@code JobRows.QUEUED}; its claim columns read the trace context
 * from {@code spindle_trace} ({@link TraceContextColumn}). Stateless.
 */
public final class JobRows extends SqlJobRows {
  /** {@link SqlJobRows#CLAIM_COLUMNS} of this store (hides the shared constant on purpose). */
  public static final String CLAIM_COLUMNS = claimColumns(TraceContextColumn.EXPRESSION);

  private JobRows() {}
}
