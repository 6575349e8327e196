package dev.spindle.store.mariadb;

import dev.spindle.testkit.mariadb.MariaDbServer;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * The MariaDB server shared by this module's tests ({@link MariaDbServer#shared()}), and stores on
 * it in databases of their own, so tests never see each other's jobs. Thread-safe.
 */
final class SharedMariaDb {
  private SharedMariaDb() {}

  /** A builder for a store in a fresh database {@code prefix_N} of the shared server. */
  static MariaDbJobStore.Builder builder(String prefix) {
    MariaDbServer db = MariaDbServer.shared();
    return MariaDbJobStore.builder(db.host(), db.port(), db.newDatabase(prefix), db.user()).password(db.password())
        .option("sslMode", "disable");
  }

  /** A store in a fresh database, on {@code clock} (null: the server's clock). */
  static MariaDbJobStore open(String prefix, @Nullable Clock clock) {
    MariaDbJobStore.Builder b = builder(prefix);
    if (clock != null) {
      b.clock(clock);
    }
    return b.open();
  }
}
