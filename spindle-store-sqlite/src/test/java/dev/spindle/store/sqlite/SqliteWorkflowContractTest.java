package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.WorkflowContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Job dependencies on a real SQLite file. */
class SqliteWorkflowContractTest extends WorkflowContract {
  @TempDir
  Path dir;

  @Override
  protected StoreBackend openStore() {
    return SqliteJobStore.open(dir.resolve("workflows.db"));
  }
}
