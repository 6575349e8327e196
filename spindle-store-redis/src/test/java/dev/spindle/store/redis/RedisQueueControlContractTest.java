package dev.spindle.store.redis;

import dev.spindle.queue.spi.JobStore;
import dev.spindle.testkit.store.QueueControlContract;

/** Queue controls and the audit log on a real standalone redis-server. */
class RedisQueueControlContractTest extends QueueControlContract {
  @Override
  protected JobStore openStore() {
    return SharedRedis.open("control", clock);
  }
}
