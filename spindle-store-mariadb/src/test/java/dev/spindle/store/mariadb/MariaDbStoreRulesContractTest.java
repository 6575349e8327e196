package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.StoreRulesContract;

/** The rules table on a real MariaDB server, each row's store in a database of its own. */
class MariaDbStoreRulesContractTest extends StoreRulesContract {
  @Override
  protected StoreBackend openStore() {
    return SharedMariaDb.open("rules", clock);
  }
}
