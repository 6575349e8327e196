package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.IncidentLogContract;

/** The incident log's contract on a real MariaDB server, each store in a database of its own. */
class MariaDbIncidentLogContractTest extends IncidentLogContract {
  @Override
  protected StoreBackend openStore() {
    return SharedMariaDb.open("incidents", clock);
  }
}
