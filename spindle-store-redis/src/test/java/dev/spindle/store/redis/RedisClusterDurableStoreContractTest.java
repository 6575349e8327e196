package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableStoreContract;

/**
 * The durable store contract on a real three-master Redis Cluster: every script of a job,
 * its records and its signals stay in its namespace's slot, or Redis refuses the call.
 */
class RedisClusterDurableStoreContractTest extends DurableStoreContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedisCluster.open("durable-store", clock);
  }
}
