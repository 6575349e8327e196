package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableWorkerContract;

/** Durable execution through a real worker on a real PostgreSQL server, each store in a schema of its own. */
class PostgresDurableWorkerContractTest extends DurableWorkerContract {
  @Override
  protected StoreBackend openStore() {
    return SharedPostgres.open("durable_worker", clock);
  }
}
