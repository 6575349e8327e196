package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.StoreAdminContract;

/** The {@code StoreAdmin} contract on a real PostgreSQL server, each store in a schema of its own. */
class PostgresStoreAdminContractTest extends StoreAdminContract {
  @Override
  protected StoreBackend openStore() {
    return SharedPostgres.open("control", clock);
  }
}
