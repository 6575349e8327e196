package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.AttemptLedgerContract;

/** The attempts ledger contract on a real PostgreSQL server, each store in a schema of its own. */
class PostgresAttemptLedgerContractTest extends AttemptLedgerContract {
  @Override
  protected StoreBackend openStore() {
    return SharedPostgres.open("ledger", clock);
  }
}
