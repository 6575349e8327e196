package dev.spindle.store.mariadb;

import dev.spindle.testkit.store.DurableKillContract;
import java.nio.file.Path;

/** Durable steps across real {@code kill -9}s on MariaDB. */
class MariaDbDurableKillTest extends DurableKillContract {
  @Override
  protected String location(Path dir) throws java.io.IOException {
    return MariaDbDurableFaults.location(dir, "durable_kill");
  }
}
