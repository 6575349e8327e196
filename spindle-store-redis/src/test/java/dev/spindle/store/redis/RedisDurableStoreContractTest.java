package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableStoreContract;

/** The durable store contract on a real standalone redis-server; each test gets its own namespace. */
class RedisDurableStoreContractTest extends DurableStoreContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedis.open("durable", clock);
  }
}
