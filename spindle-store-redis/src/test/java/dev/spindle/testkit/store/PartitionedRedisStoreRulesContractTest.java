package dev.spindle.testkit.store;

import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.redis.PartitionedRedisJobStore;
import dev.spindle.store.redis.RedisStoreConfig;
import dev.spindle.testkit.redis.RedisCluster;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The rules table on a partitioned queue: three partitions on a real three-master Redis Cluster. A
 * row's jobs share one partition (by ordering key), where retention limits and workflows hold.
 */
class PartitionedRedisStoreRulesContractTest extends StoreRulesContract {
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
    String ns = PartitionedRedisContractTest.spreadNamespace(cluster, "rules", NAMESPACES, 3);
    return PartitionedRedisJobStore.open(RedisStoreConfig.fromUrl(cluster.seedUrl() + "?cluster=true&namespace=" + ns
        + "&partitions=3&watchdog=200ms", Map.of()), clock);
  }

  /** Jobs without dependencies by one ordering key; a workflow follows its dependencies' partition. */
  @Override
  protected List<EnqueueResult> enqueue(List<NewJob> jobs) {
    boolean workflow = jobs.stream().anyMatch(j -> !j.dependsOn().isEmpty());
    return workflow ? store.enqueue(jobs) : ((PartitionedRedisJobStore) store).enqueueByKey("rules", jobs);
  }
}
