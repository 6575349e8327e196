package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.redis.RedisCluster;
import dev.spindle.testkit.store.JobStoreContract;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on a real three-node Redis Cluster (Lettuce's cluster client): each test's
 * namespace hashes to some slot, so the tests spread over the nodes, and Redis refuses any script
 * whose declared keys span slots.
 */
class RedisClusterJobStoreContractTest extends JobStoreContract {
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
    return RedisJobStore.open(RedisStoreConfig.fromUrl(cluster.seedUrl() + "?cluster=true&namespace=cluster-"
        + NAMESPACES.incrementAndGet() + "&watchdog=200ms", Map.of()), clock);
  }
}
