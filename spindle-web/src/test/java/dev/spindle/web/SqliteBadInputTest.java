package dev.spindle.web;

import dev.spindle.queue.spi.JobStore;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Hostile input to the API over SQLite. */
class SqliteBadInputTest extends DashboardBadInputContract {
  @TempDir
  Path dir;

  @Override
  JobStore openStore() {
    return SqliteJobStore.open(dir.resolve("jobs.db"));
  }
}
