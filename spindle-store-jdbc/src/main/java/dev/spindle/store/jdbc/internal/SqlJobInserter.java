package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * A SQL store's insert of new jobs inside the caller's transaction: what the shared collaborators
 * ({@link SqlSchedules#fire}, {@link SqlDependencies#addChildren}) call to add jobs the store's own
 * way (ids, payload columns, flow keys, dependencies).
 *
 * @param <C> the store's connection type
 */
@FunctionalInterface
public interface SqlJobInserter<C> {
  /**
   * Inserts {@code jobs} in order, adding the policy rows it creates to {@code created}.
   *
   * @return one result per job, in order
   */
  List<EnqueueResult> insert(C c, List<NewJob> jobs, Map<JobPolicy, Long> created) throws SQLException;
}
