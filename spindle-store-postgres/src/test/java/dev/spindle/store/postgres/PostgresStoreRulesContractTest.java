package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.StoreRulesContract;

/** The rules table on a real PostgreSQL server, each row's store in a schema of its own. */
class PostgresStoreRulesContractTest extends StoreRulesContract {
  @Override
  protected StoreBackend openStore() {
    return SharedPostgres.open("rules", clock);
  }
}
