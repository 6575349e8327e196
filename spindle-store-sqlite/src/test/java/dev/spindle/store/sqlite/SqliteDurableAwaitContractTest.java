package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableAwaitContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Awaiting another job on a real SQLite file. */
class SqliteDurableAwaitContractTest extends DurableAwaitContract {
  @TempDir
  Path dir;

  @Override
  protected StoreBackend openStore() {
    return SqliteJobStore.builder(dir.resolve("durable-await.db")).clock(clock).open();
  }
}
