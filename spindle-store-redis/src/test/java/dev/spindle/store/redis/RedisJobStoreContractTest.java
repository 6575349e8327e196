package dev.spindle.store.redis;

import dev.spindle.queue.spi.JobStore;
import dev.spindle.testkit.redis.RedisServer;
import dev.spindle.testkit.store.JobStoreContract;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on a real standalone redis-server; each test gets its own namespace. */
class RedisJobStoreContractTest extends JobStoreContract {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.builder().appendOnly(false).start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Override
  protected JobStore openStore() {
    return RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "/0?namespace=contract-"
        + NAMESPACES.incrementAndGet() + "&watchdog=200ms", Map.of()), clock);
  }
}
