package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.StoreAdminContract;

/** The store admin contract on a real MariaDB server, each store in a database of its own. */
class MariaDbStoreAdminContractTest extends StoreAdminContract {
  @Override
  protected StoreBackend openStore() {
    return SharedMariaDb.open("admin", clock);
  }
}
