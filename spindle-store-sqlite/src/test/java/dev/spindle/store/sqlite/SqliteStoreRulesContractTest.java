package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.StoreRulesContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The rules table on a real SQLite file. */
class SqliteStoreRulesContractTest extends StoreRulesContract {
  @TempDir
  Path dir;

  @Override
  protected StoreBackend openStore() {
    return SqliteJobStore.builder(dir.resolve("rules.db")).clock(clock).open();
  }
}
