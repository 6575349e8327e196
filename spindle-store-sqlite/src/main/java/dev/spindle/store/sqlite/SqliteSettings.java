package dev.spindle.store.sqlite;

import dev.spindle.queue.StoreException;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.FilePrivacy;
import dev.spindle.store.sqlite.internal.Schema;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The settings of an open {@link SqliteJobStore}: an immutable copy of its
 * {@link SqliteJobStore.Builder}, so changing the builder afterwards changes nothing; and what
 * opening does with them ({@link #openDatabase}).
 */
record SqliteSettings(Path file, Duration busyTimeout, SqliteJobStore.Durability durability, long maxDatabaseBytes,
    int maxPayloadBytes, Duration wakeupInterval, boolean requirePrivate, boolean existingOnly, Clock clock) {

  /** The database file, absolute and normalized. */
  Path path() {
    return file.toAbsolutePath().normalize();
  }

  /**
   * Opens the database at {@link #path()}: its directory and files made private (or refused, see
   * {@link SqliteJobStore.Builder#requirePrivate}), the connections set up, the schema created or
   * migrated if it is not current. Nothing stays open if that fails.
   *
   * @throws StoreException if it cannot be opened (the message says why)
   */
  Db openDatabase() {
    Path path = path();
    Db db = new Db(path, busyTimeout, maxDatabaseBytes, durability == SqliteJobStore.Durability.FULL,
        existingOnly ? FilePrivacy.Opening.EXISTING : FilePrivacy.Opening.CREATE, "job database", requirePrivate);
    try {
      if (!db.read("read the schema version", Schema::isCurrent)) {
        db.update("create the schema", c -> Schema.migrate(c, path));
      }
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    return db;
  }
}
