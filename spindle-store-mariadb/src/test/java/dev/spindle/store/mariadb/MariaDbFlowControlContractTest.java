package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.FlowControlContract;

/** The flow control contract on a real MariaDB server, each store in a database of its own. */
class MariaDbFlowControlContractTest extends FlowControlContract {
  @Override
  protected StoreBackend openStore() {
    return SharedMariaDb.open("flow", clock);
  }
}
