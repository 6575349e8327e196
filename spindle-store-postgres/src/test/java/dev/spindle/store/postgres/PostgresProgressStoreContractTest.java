package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.ProgressStoreContract;

/** The progress store contract on a real PostgreSQL server, each store in a schema of its own. */
class PostgresProgressStoreContractTest extends ProgressStoreContract {
  @Override
  protected StoreBackend openStore() {
    return SharedPostgres.open("progress", clock);
  }
}
