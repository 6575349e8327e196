package dev.spindle.testkit.store;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.StoreBackend;

/** Awaiting another job on the in-memory reference store. */
class InMemoryDurableAwaitContractTest extends DurableAwaitContract {
  @Override
  protected StoreBackend openStore() {
    return new InMemoryJobStore("durable-await", clock);
  }
}
