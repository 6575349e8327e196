package dev.spindle.testkit.store;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.StoreBackend;

/** Job dependencies on the in-memory store. */
class InMemoryWorkflowContractTest extends WorkflowContract {
  @Override
  protected StoreBackend openStore() {
    return new InMemoryJobStore();
  }
}
