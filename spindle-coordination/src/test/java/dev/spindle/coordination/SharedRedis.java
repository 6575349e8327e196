package dev.spindle.coordination;

import dev.spindle.testkit.redis.RedisServer;

/** One redis-server for every Redis test class of this module (started on first use, stopped at exit). */
final class SharedRedis {
  private static RedisServer server;

  private SharedRedis() {}

  static synchronized RedisServer server() {
    if (server == null) {
      RedisServer s = RedisServer.builder().appendOnly(false).start();
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "shared-redis-stop"));
      server = s;
    }
    return server;
  }
}
