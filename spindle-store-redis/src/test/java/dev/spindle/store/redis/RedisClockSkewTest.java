package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.ClockSkewContract;

/** Skewed worker and producer clocks on a real redis-server (the scripts read Redis TIME). */
class RedisClockSkewTest extends ClockSkewContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedis.open("skew", null);
  }
}
