package dev.spindle.web;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Hostile input to the API over SQLite. */
class SqliteBadInputTest extends DashboardBadInputContract {
  @TempDir
  Path dir;

  @Override
  StoreBackend openStore() {
    return SqliteJobStore.open(dir.resolve("jobs.db"));
  }
}
