package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.redis.PartitionedRedisJobStore;
import dev.spindle.store.redis.RedisStoreConfig;
import dev.spindle.testkit.redis.RedisCluster;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code StoreAdmin} contract on a partitioned queue: three partitions on a real three-master
 * Redis Cluster. The partitioned store keeps no merged statistics and enforces no flow limits, so
 * the tests that read statistics are replaced by ones asserting that it says so ({@code
 * statistics()} and {@code flowAdmin()} are empty) and that the live view still reads the rest.
 */
class PartitionedRedisStoreAdminContractTest extends StoreAdminContract {
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
    String ns = PartitionedRedisContractTest.spreadNamespace(cluster, "padmin", NAMESPACES, 3);
    return PartitionedRedisJobStore.open(RedisStoreConfig.fromUrl(cluster.seedUrl() + "?cluster=true&namespace=" + ns
        + "&partitions=3&watchdog=200ms", Map.of()), clock);
  }

  /** No statistics: the store says so in its type, it does not throw. */
  @Override
  @Test
  void statisticsCountStartsOutcomesAndWaitTimesPerMinuteInTheStore() {
    assertThat(admin.statistics()).isEmpty();
    assertThat(admin.flowAdmin()).isEmpty();
    assertThat(store.flow()).isEmpty();
  }

  /** The composed live view: no minutes and no oldest waiting job without statistics. */
  @Override
  @Test
  void theLiveViewReadsWhatTheSeparateCallsRead() {
    control.pauseQueue("b");
    dev.spindle.queue.spi.LiveView v = admin.liveView(new dev.spindle.queue.spi.LiveView.Request(0, 100,
        T0.minusSeconds(3600), T0.plusSeconds(3600), true));
    assertThat(v.pausedQueues()).containsExactly("b");
    assertThat(v.finishCursor()).isEqualTo(store.finishCursor());
    assertThat(v.minutes()).isEmpty();
    assertThat(v.oldestWaiting()).isEmpty();
    assertThat(v.queues()).isEqualTo(inspector.queueSummaries());
  }
}
