package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.WorkflowControlContract;

/**
 * Resuming workflows on a partitioned queue (three partitions on a real Redis Cluster): each
 * workflow lives on one partition, where its resume is one script.
 */
class PartitionedRedisWorkflowControlContractTest extends WorkflowControlContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedisCluster.openPartitioned("presume", java.time.Clock.systemUTC());
  }
}
