package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.IncidentLogContract;

/** The incident log's contract on a partitioned queue of three partitions on a real Redis Cluster (its first partition keeps them). */
class PartitionedRedisIncidentLogContractTest extends IncidentLogContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedisCluster.openPartitioned("pincidents", clock);
  }
}
