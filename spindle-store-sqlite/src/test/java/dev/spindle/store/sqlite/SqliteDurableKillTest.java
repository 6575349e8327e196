package dev.spindle.store.sqlite;

import dev.spindle.TaskCatalog;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableKillContract;
import java.nio.file.Path;

/** Durable steps across real {@code kill -9}s on SQLite (child workers with a lease of 1 s). */
class SqliteDurableKillTest extends DurableKillContract {
  @Override
  protected String location(Path dir) {
    return dir.resolve("durable-kill.db").toString();
  }

  @Override
  protected StoreBackend open(String location) {
    return SqliteJobStore.open(Path.of(location));
  }

  @Override
  protected Class<?> childWorker() {
    return DurableChildWorker.class;
  }

  @Override
  protected Class<? extends TaskCatalog> catalog() {
    return DurableKillTasks.class;
  }
}
