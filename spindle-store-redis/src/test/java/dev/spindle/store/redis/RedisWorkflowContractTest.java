package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.WorkflowContract;

/** Job dependencies (workflows) on a real standalone redis-server; each test gets its own namespace. */
class RedisWorkflowContractTest extends WorkflowContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedis.open("wf", null);
  }
}
