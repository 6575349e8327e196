package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.FlowControlContract;

/** Flow control on a real PostgreSQL server: limits checked inside the claim's transaction, per-key locks. */
class PostgresFlowControlContractTest extends FlowControlContract {
  @Override
  protected StoreBackend openStore() {
    return SharedPostgres.open("flow", clock);
  }
}
