package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableWorkerContract;

/** Durable execution through a real worker on a real standalone redis-server, a namespace per test. */
class RedisDurableWorkerContractTest extends DurableWorkerContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedis.open("durable-worker", clock);
  }
}
