package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.ClockSkewContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Skewed worker and producer clocks on a SQLite file (the store reads the host's kernel clock). */
class SqliteClockSkewTest extends ClockSkewContract {
  @TempDir
  Path dir;
  private int n;

  @Override
  protected StoreBackend openStore() {
    return SqliteJobStore.open(dir.resolve("skew-" + (n++) + ".db"));
  }
}
