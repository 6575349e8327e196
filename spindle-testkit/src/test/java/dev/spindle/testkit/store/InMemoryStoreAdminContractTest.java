package dev.spindle.testkit.store;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.StoreBackend;

/** The {@code StoreAdmin} contract on the in-memory reference store. */
class InMemoryStoreAdminContractTest extends StoreAdminContract {
  @Override
  protected StoreBackend openStore() {
    return new InMemoryJobStore("control", clock);
  }
}
