package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.StoreAdminContract;

/** The {@code StoreAdmin} contract on a real standalone redis-server. */
class RedisStoreAdminContractTest extends StoreAdminContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedis.open("control", clock);
  }
}
