package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.WorkflowContract;

/** The workflow contract on a real MariaDB server, each store in a database of its own. */
class MariaDbWorkflowContractTest extends WorkflowContract {
  @Override
  protected StoreBackend openStore() {
    return SharedMariaDb.open("workflow", null);
  }
}
