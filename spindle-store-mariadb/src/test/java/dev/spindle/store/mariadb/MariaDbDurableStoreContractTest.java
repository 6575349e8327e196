package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableStoreContract;

/** Durable execution's store contract on a real MariaDB server, each store in a database of its own. */
class MariaDbDurableStoreContractTest extends DurableStoreContract {
  @Override
  protected StoreBackend openStore() {
    return SharedMariaDb.open("durable", clock);
  }
}
