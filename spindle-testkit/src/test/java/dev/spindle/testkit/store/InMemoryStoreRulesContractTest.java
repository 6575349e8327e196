package dev.spindle.testkit.store;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.StoreBackend;

/** The rules table on the in-memory store. */
class InMemoryStoreRulesContractTest extends StoreRulesContract {
  @Override
  protected StoreBackend openStore() {
    return new InMemoryJobStore("rules", clock);
  }
}
