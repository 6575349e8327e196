package dev.spindle.coordination;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RedisCoordinationTest extends CoordinationContract {
  @Override
  Coordinator.Builder backend() {
    return Coordinator.builder().namespace("contract").redis(SharedRedis.server().url());
  }

  @Test
  void aReleaseIsPublishedToTheOtherProcessesWaiters() {
    List<String> heard = new CopyOnWriteArrayList<>();
    Coordinator other = open(Duration.ofMillis(200));
    other.backend().onReleased(heard::add);
    coordinator.lock(name).tryAcquire().orElseThrow().close();
    await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains(name));
  }
}
