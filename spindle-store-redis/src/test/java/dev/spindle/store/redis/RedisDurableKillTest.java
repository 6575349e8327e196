package dev.spindle.store.redis;

import dev.spindle.testkit.store.DurableKillContract;
import java.nio.file.Path;

/** Durable steps across real {@code kill -9}s on Redis. */
class RedisDurableKillTest extends DurableKillContract {
  @Override
  protected String location(Path dir) {
    return SharedRedis.server().url() + "/0?namespace=durable-kill-" + System.nanoTime() + "&watchdog=200ms";
  }
}
