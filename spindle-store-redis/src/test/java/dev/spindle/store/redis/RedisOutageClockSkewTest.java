package dev.spindle.store.redis;

import dev.spindle.testkit.redis.RedisServer;
import dev.spindle.testkit.store.OutageSkewCheck;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A Redis outage (the server stopped, then started again) is not taken for clock skew. */
class RedisOutageClockSkewTest {
  @Test
  void aWorkerDoesNotTakeTheReconnectWaitForClockSkew() {
    try (RedisServer redis = RedisServer.start();
         RedisJobStore store = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url()
             + "?retryBudget=30s&watchdog=250ms", Map.of()))) {
      OutageSkewCheck.run(store, whileDown -> {
        redis.stop();
        whileDown.run();
        redis.restart();
      });
    }
  }
}
