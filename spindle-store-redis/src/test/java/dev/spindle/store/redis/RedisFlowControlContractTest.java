package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.FlowControlContract;

/** Flow control on a real standalone redis-server: limits checked inside the claim script. */
class RedisFlowControlContractTest extends FlowControlContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedis.open("flow", clock);
  }
}
