package dev.spindle.store.redis;

import dev.spindle.testkit.redis.RedisCluster;
import dev.spindle.testkit.redis.RedisServer;
import java.time.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One three-master Redis Cluster shared by the durable-execution test classes of this module,
 * started at first use and stopped when the test JVM exits; each store gets a namespace of its own.
 * Thread-safe.
 */
final class SharedRedisCluster {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static RedisCluster cluster;

  private SharedRedisCluster() {}

  private static synchronized RedisCluster cluster() {
    if (cluster == null) {
      RedisCluster c = RedisCluster.start(3);
      Runtime.getRuntime().addShutdownHook(new Thread(c::close, "shared-redis-cluster-stop"));
      cluster = c;
    }
    return cluster;
  }

  /** A store in a fresh namespace on the cluster, on {@code clock}. */
  static RedisJobStore open(String prefix, Clock clock) {
    return RedisJobStore.open(RedisStoreConfig.fromUrl(cluster().seedUrl() + "?cluster=true&namespace=" + prefix
        + "-" + NAMESPACES.incrementAndGet() + "&watchdog=200ms", Map.of()), clock);
  }

  /** A partitioned store of three partitions on three different masters, on {@code clock}. */
  static PartitionedRedisJobStore openPartitioned(String prefix, Clock clock) {
    RedisCluster c = cluster();
    while (true) {
      String ns = prefix + "-" + NAMESPACES.incrementAndGet();
      Set<RedisServer> nodes = new HashSet<>();
      for (int p = 0; p < 3; p++) {
        nodes.add(c.nodeForSlot(RedisCluster.slot(PartitionedRedisJobStore.namespace(ns, p))));
      }
      if (nodes.size() == Math.min(3, c.nodes().size())) {
        return PartitionedRedisJobStore.open(RedisStoreConfig.fromUrl(c.seedUrl() + "?cluster=true&namespace=" + ns
            + "&partitions=3&watchdog=200ms", Map.of()), clock);
      }
    }
  }
}
