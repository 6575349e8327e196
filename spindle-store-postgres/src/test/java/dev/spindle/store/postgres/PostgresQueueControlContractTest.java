package dev.spindle.store.postgres;

import dev.spindle.queue.spi.JobStore;
import dev.spindle.testkit.store.QueueControlContract;

/** Queue controls and the audit log on a real PostgreSQL server, each store in a schema of its own. */
class PostgresQueueControlContractTest extends QueueControlContract {
  @Override
  protected JobStore openStore() {
    return SharedPostgres.open("control", clock);
  }
}
