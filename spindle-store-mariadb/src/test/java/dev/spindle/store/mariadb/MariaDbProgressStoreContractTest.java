package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.ProgressStoreContract;

/** The progress store contract on a real MariaDB server, each store in a database of its own. */
class MariaDbProgressStoreContractTest extends ProgressStoreContract {
  @Override
  protected StoreBackend openStore() {
    return SharedMariaDb.open("progress", clock);
  }
}
