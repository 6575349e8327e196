package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableStoreContract;

/**
 * The durable store contract on a partitioned queue: three partitions on three masters of a
 * real Redis Cluster, each call routed to the partition that holds the job.
 */
class PartitionedRedisDurableStoreContractTest extends DurableStoreContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedisCluster.openPartitioned("pdurable-store", clock);
  }
}
