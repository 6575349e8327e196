package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableAwaitContract;

/** Awaiting another job on a real PostgreSQL server, each store in a schema of its own. */
class PostgresDurableAwaitContractTest extends DurableAwaitContract {
  @Override
  protected StoreBackend openStore() {
    return SharedPostgres.open("durable_await", clock);
  }
}
