package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.store.jdbc.JdbcConn;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What the shared parts of a SQL store ask of the store itself: reading a job row (its policy from
 * the store's cache), finishing a job (finish sequence, statistics, dependents), and announcing a
 * committed change. Implementations are thread-safe.
 *
 * @param <C> the store's connection type
 */
public interface SqlStoreHost<C extends JdbcConn> {
  /** The job at the current row of {@code rs}, which holds {@link #jobColumns()}. */
  JobInfo row(C c, ResultSet rs) throws SQLException;

  /**
   * The select list of a job snapshot from {@code spindle_jobs} that {@link #row} reads: by default
   * {@link dev.spindle.store.jdbc.internal.SqlJobRows#COLUMNS}; a store that keeps the trace context elsewhere
   * gives {@link dev.spindle.store.jdbc.internal.SqlJobRows#columns} with the expression that reads it.
   */
  default String jobColumns() {
    return dev.spindle.store.jdbc.internal.SqlJobRows.COLUMNS;
  }

  /**
   * Moves job {@code id}, read in this transaction in state {@code from}, to the terminal state
   * {@code to} (through {@link JobState#checkTransition}).
   *
   * @param ttl the SQL of the time to keep it ({@link dev.spindle.store.jdbc.internal.SqlJobRows#RESULT_TTL}
   *     or {@link dev.spindle.store.jdbc.internal.SqlJobRows#FAILURE_TTL})
   */
  void finish(C c, long id, JobState from, JobState to, Instant now, @Nullable String error, @Nullable String deadReason,
      String ttl)
      throws SQLException;

  /** After a commit that changed jobs, queues or schedules: wakes listeners (and other processes). */
  void changed();
}
