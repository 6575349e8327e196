package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.JobStoreContract;

/** The job store contract on a real MariaDB server, each store in a database of its own. */
class MariaDbJobStoreContractTest extends JobStoreContract {
  @Override
  protected StoreBackend openStore() {
    return SharedMariaDb.open("contract", clock);
  }
}
