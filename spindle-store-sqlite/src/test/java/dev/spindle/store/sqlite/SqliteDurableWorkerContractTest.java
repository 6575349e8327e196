package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableWorkerContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Durable execution through a real worker on a real SQLite file. */
class SqliteDurableWorkerContractTest extends DurableWorkerContract {
  @TempDir
  Path dir;

  @Override
  protected StoreBackend openStore() {
    return SqliteJobStore.builder(dir.resolve("durable-worker.db")).clock(clock).open();
  }
}
