package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.IncidentLogContract;

/** The incident log's contract on a real PostgreSQL server, each store in a schema of its own. */
class PostgresIncidentLogContractTest extends IncidentLogContract {
  @Override
  protected StoreBackend openStore() {
    return SharedPostgres.open("incidents", clock);
  }
}
