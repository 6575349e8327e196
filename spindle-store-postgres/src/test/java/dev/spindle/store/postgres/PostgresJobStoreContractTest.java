package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.JobStoreContract;

/** The job store contract on a real PostgreSQL server, each store in a schema of its own. */
class PostgresJobStoreContractTest extends JobStoreContract {
  @Override
  protected StoreBackend openStore() {
    return SharedPostgres.open("contract", clock);
  }
}
