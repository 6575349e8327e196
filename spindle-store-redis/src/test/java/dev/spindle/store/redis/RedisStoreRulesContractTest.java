package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.StoreRulesContract;

/** The rules table on a real standalone redis-server; each row gets its own namespace. */
class RedisStoreRulesContractTest extends StoreRulesContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedis.open("rules", clock);
  }
}
