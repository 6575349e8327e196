package dev.spindle.store.sqlite;

import dev.spindle.testkit.store.DurableKillContract;
import java.nio.file.Path;

/** Durable steps across real {@code kill -9}s on SQLite. */
class SqliteDurableKillTest extends DurableKillContract {
  @Override
  protected String location(Path dir) {
    return "sqlite:" + dir.resolve("durable-kill.db");
  }
}
