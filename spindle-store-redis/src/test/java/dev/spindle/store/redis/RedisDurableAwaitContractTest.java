package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableAwaitContract;

/** Awaiting another job on a real standalone redis-server, a namespace per test. */
class RedisDurableAwaitContractTest extends DurableAwaitContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedis.open("durable-await", clock);
  }
}
