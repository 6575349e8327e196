package dev.spindle.testkit.store;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.JobStore;

/** Queue controls and the audit log on the in-memory reference store. */
class InMemoryQueueControlContractTest extends QueueControlContract {
  @Override
  protected JobStore openStore() {
    return new InMemoryJobStore("control", clock);
  }
}
