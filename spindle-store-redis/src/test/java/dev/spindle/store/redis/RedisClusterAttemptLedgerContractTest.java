package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.AttemptLedgerContract;

/**
 * The attempts ledger contract on a real three-master Redis Cluster: every script of a job
 * and its ledger stay in its namespace's slot, or Redis refuses the call.
 */
class RedisClusterAttemptLedgerContractTest extends AttemptLedgerContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedisCluster.open("ledger-store", clock);
  }
}
