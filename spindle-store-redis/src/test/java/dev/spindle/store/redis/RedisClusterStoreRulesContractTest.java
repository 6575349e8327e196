package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.redis.RedisCluster;
import dev.spindle.testkit.store.StoreRulesContract;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The rules table on a real three-node Redis Cluster; each row's namespace hashes to some slot. */
class RedisClusterStoreRulesContractTest extends StoreRulesContract {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static RedisCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RedisCluster.start(3);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Override
  protected StoreBackend openStore() {
    return RedisJobStore.open(RedisStoreConfig.fromUrl(cluster.seedUrl() + "?cluster=true&namespace=rules-"
        + NAMESPACES.incrementAndGet() + "&watchdog=200ms", Map.of()), clock);
  }
}
