package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.WorkflowContract;

/** Job dependencies on a real PostgreSQL server, each store in a schema of its own. */
class PostgresWorkflowContractTest extends WorkflowContract {
  @Override
  protected StoreBackend openStore() {
    return SharedPostgres.open("workflow", null);
  }
}
