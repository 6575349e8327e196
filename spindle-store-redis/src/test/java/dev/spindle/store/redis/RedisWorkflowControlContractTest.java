package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.WorkflowControlContract;

/** Resuming workflows on a real standalone redis-server; each test gets its own namespace. */
class RedisWorkflowControlContractTest extends WorkflowControlContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedis.open("resume", null);
  }
}
