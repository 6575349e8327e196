package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.WorkflowControlContract;

/** Resuming workflows on a real PostgreSQL server, each store in a schema of its own. */
class PostgresWorkflowControlContractTest extends WorkflowControlContract {
  @Override
  protected StoreBackend openStore() {
    return SharedPostgres.open("resume", null);
  }
}
