package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableWorkerContract;

/**
 * The durable worker contract on a real three-master Redis Cluster: every script of a job,
 * its records and its signals stay in its namespace's slot, or Redis refuses the call.
 */
class RedisClusterDurableWorkerContractTest extends DurableWorkerContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedisCluster.open("durable-worker", clock);
  }
}
