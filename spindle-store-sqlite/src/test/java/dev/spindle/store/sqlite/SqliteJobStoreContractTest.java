package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.JobStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The job store contract on a real SQLite file. */
class SqliteJobStoreContractTest extends JobStoreContract {
  @TempDir
  Path dir;
  private int n;

  @Override
  protected StoreBackend openStore() {
    return SqliteJobStore.builder(dir.resolve("jobs-" + (n++) + ".db")).clock(clock).open();
  }
}
