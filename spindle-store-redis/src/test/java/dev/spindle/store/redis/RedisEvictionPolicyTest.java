package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.redis.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With an evicting {@code maxmemory-policy} Redis silently deleted acknowledged
 * jobs. Opening a store checks the policy: it refuses anything but {@code noeviction} unless the URL
 * says {@code eviction=warn}, and {@link RedisJobStore#health()} (shown by {@code spindle status})
 * names the policy.
 */
class RedisEvictionPolicyTest {
  private static RedisServer evicting;
  private static RedisServer safe;

  @BeforeAll
  static void start() {
    evicting = RedisServer.builder().appendOnly(false).config("maxmemory", "3mb")
        .config("maxmemory-policy", "allkeys-lru").start();
    safe = RedisServer.builder().appendOnly(true).start();
  }

  @AfterAll
  static void stop() {
    evicting.close();
    safe.close();
  }

  @Test
  void anEvictingPolicyIsRefusedWithWhatToDo() {
    assertThatThrownBy(() -> RedisJobStore.open(RedisStoreConfig.fromUrl(evicting.url(), Map.of())))
        .isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.CANNOT_OPEN))
        .hasMessageContaining("maxmemory-policy allkeys-lru").hasMessageContaining("jobs can vanish")
        .hasMessageContaining("maxmemory-policy noeviction").hasMessageContaining("?eviction=warn");
  }

  @Test
  void warnModeOpensAndStatusShowsThePolicyAndItsRisk() {
    RedisStoreConfig c = RedisStoreConfig.fromUrl(evicting.url() + "?eviction=warn", Map.of());
    assertThat(c.evictionCheck()).isEqualTo(RedisStoreConfig.EvictionCheck.WARN);
    try (RedisJobStore store = RedisJobStore.open(c)) {
      assertThat(store.health()).anySatisfy(l -> assertThat(l).contains("maxmemory-policy allkeys-lru")
          .contains("EVICTS KEYS").contains("of 3"));
      assertThat(store.health()).anySatisfy(l -> assertThat(l).contains("persistence NONE")
          .contains("a restart of redis-server loses every job"));
    }
  }

  @Test
  void noevictionOpensAndStatusSaysItIsSafe() {
    try (RedisJobStore store = RedisJobStore.open(RedisStoreConfig.fromUrl(safe.url(), Map.of()))) {
      assertThat(store.health()).anySatisfy(l -> assertThat(l).contains("maxmemory-policy noeviction (ok)")
          .contains("no limit"));
      assertThat(store.health()).anySatisfy(l -> assertThat(l).contains("persistence AOF on, appendfsync everysec")
          .contains("can lose up to 2 s of acknowledged enqueues"));
      safe.command("CONFIG", "SET", "appendfsync", "always");
      try {
        assertThat(store.health()).anySatisfy(l -> assertThat(l).contains("persistence AOF on, appendfsync always (ok)"));
      } finally {
        safe.command("CONFIG", "SET", "appendfsync", "everysec");
      }
    }
  }

  @Test
  void aPolicyChangedLaterShowsInStatus() {
    try (RedisJobStore store = RedisJobStore.open(RedisStoreConfig.fromUrl(safe.url(), Map.of()))) {
      safe.command("CONFIG", "SET", "maxmemory-policy", "volatile-lru");
      try {
        assertThat(store.health()).anySatisfy(l -> assertThat(l).contains("maxmemory-policy volatile-lru")
            .contains("jobs can be lost"));
      } finally {
        safe.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
      }
    }
  }

  @Test
  void aRunningWorkerLogsAnErrorWhenThePolicyBecomesEvicting() {
    try (RedisJobStore store = RedisJobStore.open(RedisStoreConfig.fromUrl(safe.url(), Map.of()))) {
      safe.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
      PrintStream stderr = System.err;
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      try {
        store.heartbeat(worker());
        store.heartbeat(worker()); // within a minute: not logged again
      } finally {
        System.setErr(stderr);
        safe.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
      }
      assertThat(log.toString(StandardCharsets.UTF_8).lines()
          .filter(l -> l.contains("ERROR") && l.contains("now has maxmemory-policy allkeys-lfu")))
          .hasSize(1);
    }
  }

  private static WorkerRecord worker() {
    Instant t = Instant.parse("2030-01-01T00:00:00Z");
    return new WorkerRecord("w1", "w", "h", 1, List.of("default"), 1, "THREADS", "RUNNING", t, t,
        t.plusSeconds(60), 0, 0, 0, 0);
  }

  @Test
  void theOptionIsValidated() {
    assertThatThrownBy(() -> RedisStoreConfig.fromUrl("redis://127.0.0.1?eviction=maybe", Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Redis URL option eviction must be refuse or warn, "
            + "not 'maybe'");
  }
}
