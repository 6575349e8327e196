package dev.spindle.store.sqlite.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Row mapping of this store's jobs: {@link SqlJobRows}, shared with the other SQL store (state
 * codes, times in microseconds), named here so this store's code reads {@code JobRows.WAITING}.
 * Its column lists read the trace context from {@code spindle_trace} (kept out of the job row:
 * see {@link TraceContextColumn}), and its readers take it in this store's form. Stateless.
 */
public final class JobRows extends SqlJobRows {
  /** The SQL expression of a job's trace context, for a statement on {@code spindle_jobs}. */
  public static final String TRACE_CONTEXT = "(SELECT context FROM spindle_trace WHERE spindle_trace.id = spindle_jobs.id)";

  /**
   * {@link SqlJobRows#COLUMNS} of this store (hides the shared constant on purpose: this store's
   * code always gets the list that reads its trace-context table).
   */
  public static final String COLUMNS = columns(TRACE_CONTEXT);

  /** {@link SqlJobRows#CLAIM_COLUMNS} of this store (hides the shared constant, as {@link #COLUMNS}). */
  public static final String CLAIM_COLUMNS = claimColumns(TRACE_CONTEXT);

  private JobRows() {}

  /** {@link SqlJobRows#readClaimed}, the trace context read by {@link TraceContextColumn}. */
  public static JobInfo readClaimed(ResultSet rs, String workerId, Instant now, Policies policies)
      throws SQLException {
    return SqlJobRows.readClaimed(rs, workerId, now, policies, TraceContextColumn::read);
  }

  /** {@link SqlJobRows#read}, the trace context read by {@link TraceContextColumn}. */
  public static JobInfo read(ResultSet rs, Policies policies) throws SQLException {
    return SqlJobRows.read(rs, policies, TraceContextColumn::read);
  }
}
