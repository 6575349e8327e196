package dev.spindle.web;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Search, statistics and schedule pausing over SQLite. */
class SqliteDashboardFeaturesTest extends DashboardFeaturesContract {
  @TempDir
  Path dir;

  @Override
  StoreBackend openStore() {
    return SqliteJobStore.open(dir.resolve("jobs.db"));
  }
}
