package dev.spindle.testkit.store;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.StoreBackend;

/** The attempts ledger contract on the in-memory reference store. */
class InMemoryAttemptLedgerContractTest extends AttemptLedgerContract {
  @Override
  protected StoreBackend openStore() {
    return new InMemoryJobStore("ledger", clock);
  }
}
