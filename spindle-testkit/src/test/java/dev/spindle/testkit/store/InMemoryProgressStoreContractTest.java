package dev.spindle.testkit.store;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.StoreBackend;

/** The progress store contract on the in-memory reference store. */
class InMemoryProgressStoreContractTest extends ProgressStoreContract {
  @Override
  protected StoreBackend openStore() {
    return new InMemoryJobStore("progress", clock);
  }
}
