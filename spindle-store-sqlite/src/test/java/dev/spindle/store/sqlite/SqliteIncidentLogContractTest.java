package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.IncidentLogContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The incident log's contract on a real SQLite file. */
class SqliteIncidentLogContractTest extends IncidentLogContract {
  @TempDir
  Path dir;

  @Override
  protected StoreBackend openStore() {
    return SqliteJobStore.builder(dir.resolve("incidents.db")).clock(clock).open();
  }
}
