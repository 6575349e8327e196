package dev.spindle.web;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Encrypted jobs on SQLite. */
class SqliteEncryptedJobsTest extends EncryptedJobsContract {
  @TempDir
  Path dir;

  @Override
  StoreBackend openStore() {
    return SqliteJobStore.open(dir.resolve("jobs.db"));
  }
}
