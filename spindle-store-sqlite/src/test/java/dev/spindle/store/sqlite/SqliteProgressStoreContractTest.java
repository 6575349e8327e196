package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.ProgressStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The progress store contract on a real SQLite file. */
class SqliteProgressStoreContractTest extends ProgressStoreContract {
  @TempDir
  Path dir;

  @Override
  protected StoreBackend openStore() {
    return SqliteJobStore.builder(dir.resolve("progress.db")).clock(clock).open();
  }
}
