package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.JobStore;
import dev.spindle.testkit.store.QueueControlContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Queue controls and the audit log on a real SQLite file. */
class SqliteQueueControlContractTest extends QueueControlContract {
  @TempDir
  Path dir;

  @Override
  protected JobStore openStore() {
    return SqliteJobStore.builder(dir.resolve("control.db")).clock(clock).open();
  }
}
