package dev.spindle.store.postgres;

import dev.spindle.testkit.store.DurableKillContract;
import java.nio.file.Path;

/** Durable steps across real {@code kill -9}s on PostgreSQL. */
class PostgresDurableKillTest extends DurableKillContract {
  @Override
  protected String location(Path dir) throws java.io.IOException {
    return PostgresDurableFaults.location(dir, "durable_kill");
  }
}
