package dev.spindle.store.redis;

import dev.spindle.testkit.store.DurableStopContract;
import java.nio.file.Path;

/**
 * A worker process frozen with {@code kill -STOP} past its lease, on Redis. Every write is one
 * script, so a frozen client holds nothing the server waits for.
 */
class RedisDurableStopTest extends DurableStopContract {
  @Override
  protected String location(Path dir) {
    return SharedRedis.server().url() + "/0?namespace=durable-stop-" + System.nanoTime() + "&watchdog=200ms";
  }
}
