package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableAwaitContract;

/** Awaiting another job on a real three-master Redis Cluster: the waiter, the awaited job and the wake-up share the namespace's slot. */
class RedisClusterDurableAwaitContractTest extends DurableAwaitContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedisCluster.open("durable-await", clock);
  }
}
