package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.JobStoreContract;

/** The store contract on a real standalone redis-server; each test gets its own namespace. */
class RedisJobStoreContractTest extends JobStoreContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedis.open("contract", clock);
  }
}
