package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.WorkflowControlContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Resuming workflows on a real SQLite file. */
class SqliteWorkflowControlContractTest extends WorkflowControlContract {
  @TempDir
  Path dir;

  @Override
  protected StoreBackend openStore() {
    return SqliteJobStore.open(dir.resolve("resume.db"));
  }
}
