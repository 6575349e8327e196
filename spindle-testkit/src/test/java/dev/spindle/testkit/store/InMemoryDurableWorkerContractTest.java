package dev.spindle.testkit.store;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.StoreBackend;

/** Durable execution through a real worker on the in-memory reference store. */
class InMemoryDurableWorkerContractTest extends DurableWorkerContract {
  @Override
  protected StoreBackend openStore() {
    return new InMemoryJobStore("durable-worker", clock);
  }
}
