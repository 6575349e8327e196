package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.ProgressStoreContract;

/** The progress store contract on a real three-master Redis Cluster: a job's reports stay in its namespace's slot. */
class RedisClusterProgressStoreContractTest extends ProgressStoreContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedisCluster.open("progress-store", clock);
  }
}
