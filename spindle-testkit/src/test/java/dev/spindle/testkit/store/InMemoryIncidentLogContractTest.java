package dev.spindle.testkit.store;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.StoreBackend;

/** The incident log's contract on the in-memory reference store. */
class InMemoryIncidentLogContractTest extends IncidentLogContract {
  @Override
  protected StoreBackend openStore() {
    return new InMemoryJobStore("incidents", clock);
  }
}
