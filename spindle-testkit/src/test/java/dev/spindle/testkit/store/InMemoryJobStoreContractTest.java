package dev.spindle.testkit.store;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.StoreBackend;

/** The job store contract on the in-memory reference store. */
class InMemoryJobStoreContractTest extends JobStoreContract {
  @Override
  protected StoreBackend openStore() {
    return new InMemoryJobStore("contract", clock);
  }
}
