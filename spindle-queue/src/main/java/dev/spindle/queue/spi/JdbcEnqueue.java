package dev.spindle.queue.spi;

import java.sql.Connection;
import java.util.List;
import javax.sql.DataSource;

/**
 * The role of a store that lives in a SQL database an application also writes to: it adds jobs
 * through the application's own JDBC connection, inside the application's open transaction, so the
 * jobs exist if and only if that transaction commits (a transactional outbox without the outbox).
 * Reached with {@link JobStore#jdbcEnqueue()}; used by {@link dev.spindle.queue.JobQueue#enqueueAll(
 * Connection, List)}. Implementations are thread-safe; each call uses only the connection given.
 */
public interface JdbcEnqueue {
  /**
   * True if connections from {@code dataSource} reach this store's database (the same server and
   * database), so that jobs written through them are this store's jobs. May open and close one
   * connection of the data source.
   */
  boolean reaches(DataSource dataSource);

  /**
   * Writes the jobs on {@code connection} inside its current transaction, without committing,
   * rolling back or closing it. Wakes workers when (and only if) the transaction commits.
   *
   * @return one result per job, in order
   * @throws IllegalStateException if the connection is in auto-commit mode
   * @throws dev.spindle.queue.StoreException if a statement fails (the caller's transaction should
   *     then roll back)
   */
  List<EnqueueResult> enqueue(Connection connection, List<NewJob> jobs);
}
