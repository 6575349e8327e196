package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.StoreAdminContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The {@code StoreAdmin} contract on a real SQLite file. */
class SqliteStoreAdminContractTest extends StoreAdminContract {
  @TempDir
  Path dir;

  @Override
  protected StoreBackend openStore() {
    return SqliteJobStore.builder(dir.resolve("control.db")).clock(clock).open();
  }
}
