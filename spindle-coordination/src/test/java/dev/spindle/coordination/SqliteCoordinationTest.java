package dev.spindle.coordination;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteCoordinationTest extends CoordinationContract {
  @TempDir
  static Path dir;

  @Override
  Coordinator.Builder backend() {
    return Coordinator.builder().sqlite(dir.resolve("coord.db"));
  }
}
