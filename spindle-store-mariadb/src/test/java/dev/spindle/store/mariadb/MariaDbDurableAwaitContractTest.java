package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableAwaitContract;

/** Awaiting another job on a real MariaDB server, each store in a database of its own. */
class MariaDbDurableAwaitContractTest extends DurableAwaitContract {
  @Override
  protected StoreBackend openStore() {
    return SharedMariaDb.open("durable_await", clock);
  }
}
