package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.IncidentLogContract;

/** The incident log's contract on a real three-master Redis Cluster: every key in the namespace's slot. */
class RedisClusterIncidentLogContractTest extends IncidentLogContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedisCluster.open("incidents", clock);
  }
}
