package dev.spindle.store.postgres;

import dev.spindle.queue.spi.JobStore;
import dev.spindle.testkit.store.FlowControlContract;

/** Flow control on a real PostgreSQL server: limits checked inside the claim's transaction, per-key locks. */
class PostgresFlowControlContractTest extends FlowControlContract {
  @Override
  protected JobStore openStore() {
    return SharedPostgres.open("flow", clock);
  }
}
