package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableWorkerContract;

/** Durable execution through a real worker on a real MariaDB server, each store in a database of its own. */
class MariaDbDurableWorkerContractTest extends DurableWorkerContract {
  @Override
  protected StoreBackend openStore() {
    return SharedMariaDb.open("durable_worker", clock);
  }
}
