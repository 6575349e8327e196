package dev.spindle.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A member killed with {@code kill -9} is seen gone by a watcher within 2 heartbeat intervals. */
class MemberDeathTest {
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "redis", "postgres"})
  void aKilledMemberIsSeenGoneWithinTwoHeartbeatIntervals(String kind) throws Exception {
    String store = Children.store(kind, dir);
    ConcurrentHashMap<String, Long> leftAt = new ConcurrentHashMap<>();
    List<String> joined = new CopyOnWriteArrayList<>();
    try (Coordinator watcher = CoordChild.store(store).heartbeatInterval(HEARTBEAT).build();
        Children child = Children.start(dir.resolve("child.err"), "member", store, "crawlers", "victim",
            Long.toString(HEARTBEAT.toMillis()));
        GroupWatch watch = watcher.watch("crawlers", new GroupListener() {
          @Override
          public void onJoin(Member m) {
            joined.add(m.id() + " " + m.capabilities().get("pid").asLong());
          }

          @Override
          public void onLeave(Member m) {
            leftAt.put(m.id(), System.nanoTime());
          }
        })) {
      child.expect("joined", 60);
      await().atMost(Duration.ofSeconds(10)).until(() -> joined.contains("victim " + child.process.pid()));
      // let at least one heartbeat pass so the kill lands at an arbitrary point of the cycle
      await().atMost(Duration.ofSeconds(10)).until(() -> watcher.members("crawlers").size() == 1);
      long killed = System.nanoTime();
      Children.signal(child.process.pid(), "KILL");
      await().atMost(HEARTBEAT.multipliedBy(4)).until(() -> leftAt.containsKey("victim"));
      Duration seen = Duration.ofNanos(leftAt.get("victim") - killed);
      System.out.printf("%s: kill -9 seen by the watcher after %d ms (heartbeat %d ms, TTL %d ms, watch %d ms)%n",
          kind, seen.toMillis(), HEARTBEAT.toMillis(), watcher.settings().memberTtl().toMillis(),
          watcher.settings().watchInterval().toMillis());
      assertThat(seen).isLessThanOrEqualTo(HEARTBEAT.multipliedBy(2));
      assertThat(watch.group()).isEqualTo("crawlers");
    }
  }
}
