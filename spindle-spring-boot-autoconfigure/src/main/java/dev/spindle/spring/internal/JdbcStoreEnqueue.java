package dev.spindle.spring.internal;

import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobRequest;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.spring.spi.TransactionalEnqueue;
import java.sql.Connection;
import java.util.List;
import javax.sql.DataSource;

/**
 * The built-in {@link TransactionalEnqueue} for a store that lives in a SQL database (PostgreSQL):
 * when the application's transaction runs on a data source that reaches the store's database, jobs
 * are written on that transaction's connection ({@link JobQueue#enqueueAll(Connection, List)}), so
 * they commit or roll back with the application's rows. Thread-safe.
 */
public final class JdbcStoreEnqueue implements TransactionalEnqueue {
  private final JobQueue queue;

  /** Writes through {@code queue}, whose store must offer {@link JobStore#jdbcEnqueue()}. */
  public JdbcStoreEnqueue(JobQueue queue) {
    this.queue = queue;
  }

  /** True if {@code store} can enqueue inside JDBC transactions at all. */
  public static boolean available(JobStore store) {
    return store.jdbcEnqueue().isPresent();
  }

  @Override
  public boolean supports(JobStore store, DataSource dataSource) {
    return store == queue.store() && store.jdbcEnqueue().map(j -> j.reaches(dataSource)).orElse(false);
  }

  @Override
  public List<String> enqueue(Connection connection, List<JobRequest> requests) {
    return queue.enqueueAll(connection, requests).stream().map(JobHandle::id).toList();
  }

  @Override
  public String toString() {
    return "enqueue inside the application's transaction on " + queue.store().describe();
  }
}
