package dev.spindle.store.redis;

import dev.spindle.testkit.redis.RedisServer;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One redis-server (no persistence, a free loopback port) shared by the test classes of this module
 * that need only a namespace of their own: started at first use, stopped when the test JVM exits.
 * Tests that restart, fill or reconfigure a server start their own. Thread-safe.
 */
final class SharedRedis {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static RedisServer server;

  private SharedRedis() {}

  /** The shared server, started on first use. */
  static synchronized RedisServer server() {
    if (server == null) {
      RedisServer s = RedisServer.builder().appendOnly(false).start();
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "shared-redis-stop"));
      server = s;
    }
    return server;
  }

  /** A store in a namespace no other test uses ({@code prefix-N}), watchdog 200 ms, on {@code clock}. */
  static RedisJobStore open(String prefix, Clock clock) {
    RedisStoreConfig config = RedisStoreConfig.fromUrl(server().url() + "/0?namespace=" + prefix + "-"
        + NAMESPACES.incrementAndGet() + "&watchdog=200ms", Map.of());
    return clock == null ? RedisJobStore.open(config) : RedisJobStore.open(config, clock);
  }
}
