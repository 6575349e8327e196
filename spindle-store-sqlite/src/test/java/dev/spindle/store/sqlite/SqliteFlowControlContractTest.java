package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.FlowControlContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Flow control on a real SQLite file: limits checked inside the claim's write transaction. */
class SqliteFlowControlContractTest extends FlowControlContract {
  @TempDir
  Path dir;

  @Override
  protected StoreBackend openStore() {
    return SqliteJobStore.builder(dir.resolve("flow.db")).clock(clock).open();
  }
}
