package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.DurableKillContract;
import java.nio.file.Path;
import java.util.Map;

/** Durable steps across real {@code kill -9}s on Redis (child workers with a lease of 3 s). */
class RedisDurableKillTest extends DurableKillContract {
  @Override
  protected String location(Path dir) {
    return SharedRedis.server().url() + "/0?namespace=durable-kill-" + System.nanoTime() + "&watchdog=200ms";
  }

  @Override
  protected StoreBackend open(String location) {
    return RedisJobStore.open(RedisStoreConfig.fromUrl(location, Map.of()));
  }

  @Override
  protected Class<?> childWorker() {
    return RedisDurableChildWorker.class;
  }
}
