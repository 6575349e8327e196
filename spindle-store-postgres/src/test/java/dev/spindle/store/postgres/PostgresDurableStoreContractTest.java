package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableStoreContract;

/** Durable execution's store contract on a real PostgreSQL server, each store in a schema of its own. */
class PostgresDurableStoreContractTest extends DurableStoreContract {
  @Override
  protected StoreBackend openStore() {
    return SharedPostgres.open("durable", clock);
  }
}
