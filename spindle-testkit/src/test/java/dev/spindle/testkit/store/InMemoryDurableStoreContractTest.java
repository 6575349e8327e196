package dev.spindle.testkit.store;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.StoreBackend;

/** Durable execution's store contract on the in-memory reference store. */
class InMemoryDurableStoreContractTest extends DurableStoreContract {
  @Override
  protected StoreBackend openStore() {
    return new InMemoryJobStore("durable", clock);
  }
}
