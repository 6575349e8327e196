package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Durable execution's store contract on a real SQLite file. */
class SqliteDurableStoreContractTest extends DurableStoreContract {
  @TempDir
  Path dir;

  @Override
  protected StoreBackend openStore() {
    return SqliteJobStore.builder(dir.resolve("durable.db")).clock(clock).open();
  }
}
