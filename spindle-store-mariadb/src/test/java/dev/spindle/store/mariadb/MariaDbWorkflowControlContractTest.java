package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.WorkflowControlContract;

/** Resuming workflows on a real MariaDB server, each store in a database of its own. */
class MariaDbWorkflowControlContractTest extends WorkflowControlContract {
  @Override
  protected StoreBackend openStore() {
    return SharedMariaDb.open("resume", null);
  }
}
