package dev.spindle.spring.spi;

import dev.spindle.queue.JobRequest;
import dev.spindle.queue.spi.JobStore;
import java.sql.Connection;
import java.util.List;
import javax.sql.DataSource;

/**
 * The extension point for stores that live in the application's own database: enqueue through the
 * caller's transaction, on its JDBC connection, so the jobs commit or roll back with the
 * application's data (a transactional outbox without the outbox). A store module registers a bean
 * of this type; {@link dev.spindle.spring.SpindleEnqueuer} in mode
 * {@link dev.spindle.spring.EnqueueMode#AUTO} then uses it whenever a transaction is active on a
 * {@link DataSource} it {@link #supports}. Implementations must be thread-safe.
 */
public interface TransactionalEnqueue {
  /** True if jobs for {@code store} can be written through connections of {@code dataSource}. */
  boolean supports(JobStore store, DataSource dataSource);

  /**
   * Writes the jobs on {@code connection}, inside its current transaction, without committing,
   * rolling back or closing it; the requests were already checked against the task registry.
   *
   * @return the new (or, for a unique key, existing) job ids, in request order
   * @throws dev.spindle.queue.StoreException if the write fails (the caller's transaction should
   *     then roll back)
   */
  List<String> enqueue(Connection connection, List<JobRequest> requests);
}
