package dev.spindle.testkit.store;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.StoreBackend;

/** Flow control on the in-memory reference store. */
class InMemoryFlowControlContractTest extends FlowControlContract {
  @Override
  protected StoreBackend openStore() {
    return new InMemoryJobStore("flow", clock);
  }
}
