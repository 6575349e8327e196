package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableWorkerContract;

/**
 * The durable worker contract on a partitioned queue: three partitions on three masters of a
 * real Redis Cluster, each call routed to the partition that holds the job.
 */
class PartitionedRedisDurableWorkerContractTest extends DurableWorkerContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedisCluster.openPartitioned("pdurable-worker", clock);
  }
}
