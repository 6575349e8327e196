package dev.spindle.store.sqlite.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.spi.SqlJobRows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Row mapping of this store's jobs: {@link SqlJobRows}, shared with the other SQL store (state
 * codes, times in microseconds, the column list of job snapshots), named here so this store's
 * code reads {@code JobRows.WAITING}; its readers take the trace context in this store's form
 * ({@link TraceContextColumn}). Stateless.
 */
public final class JobRows extends SqlJobRows {
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
