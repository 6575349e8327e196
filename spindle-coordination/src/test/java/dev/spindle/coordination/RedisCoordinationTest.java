package dev.spindle.coordination;

class RedisCoordinationTest extends CoordinationContract {
  @Override
  Coordinator.Builder backend() {
    return Coordinator.builder().namespace("contract").redis(SharedRedis.server().url());
  }
}
