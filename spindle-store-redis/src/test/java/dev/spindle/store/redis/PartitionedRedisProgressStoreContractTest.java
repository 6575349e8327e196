package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.ProgressStoreContract;

/** The progress store contract on a partitioned queue: three partitions on three masters of a real Redis Cluster, each batch split by partition. */
class PartitionedRedisProgressStoreContractTest extends ProgressStoreContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedisCluster.openPartitioned("pprogress-store", clock);
  }
}
