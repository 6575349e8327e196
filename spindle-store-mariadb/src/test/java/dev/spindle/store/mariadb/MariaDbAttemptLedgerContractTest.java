package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.AttemptLedgerContract;

/** The attempts ledger contract on a real MariaDB server, each store in a database of its own. */
class MariaDbAttemptLedgerContractTest extends AttemptLedgerContract {
  @Override
  protected StoreBackend openStore() {
    return SharedMariaDb.open("ledger", clock);
  }
}
