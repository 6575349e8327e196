package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.WorkflowControlContract;

/** Resuming workflows on a real three-master Redis Cluster: the script stays in its namespace's slot. */
class RedisClusterWorkflowControlContractTest extends WorkflowControlContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedisCluster.open("resume", java.time.Clock.systemUTC());
  }
}
