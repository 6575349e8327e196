package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.IncidentLogContract;

/** The incident log's contract on a real standalone redis-server; each test gets its own namespace. */
class RedisIncidentLogContractTest extends IncidentLogContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedis.open("incidents", clock);
  }
}
