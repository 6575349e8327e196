package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.AttemptLedgerContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The attempts ledger contract on a real SQLite file. */
class SqliteAttemptLedgerContractTest extends AttemptLedgerContract {
  @TempDir
  Path dir;

  @Override
  protected StoreBackend openStore() {
    return SqliteJobStore.builder(dir.resolve("ledger.db")).clock(clock).open();
  }
}
