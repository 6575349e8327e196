package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.ProgressStoreContract;

/** The progress store contract on a real standalone redis-server; each test gets its own namespace. */
class RedisProgressStoreContractTest extends ProgressStoreContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedis.open("progress", clock);
  }
}
