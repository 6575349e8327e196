package dev.spindle.web;

import dev.spindle.queue.spi.JobStore;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Search, statistics and schedule pausing over SQLite. */
class SqliteDashboardFeaturesTest extends DashboardFeaturesContract {
  @TempDir
  Path dir;

  @Override
  JobStore openStore() {
    return SqliteJobStore.open(dir.resolve("jobs.db"));
  }
}
