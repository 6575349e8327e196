package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.testkit.redis.RedisServer;
import dev.spindle.testkit.redis.RespClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Clear errors: a caCert that is no certificate, a rediss:// URL pointed at a plain port,
 * and a password changed under a running process each give one clear line (no Netty stack trace,
 * not "is redis-server running?", not "unavailable"), never showing a secret.
 */
class RedisClearErrorsTest {
  private static final String OLD = "old-Pw-9x!";
  private static final String NEW = "new-Pw-4k!";
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  private static NewJob job() {
    return new NewJob("errors.task", "1", "default", 0, T0, null, JobPolicy.defaults(), T0);
  }

  @Test
  void aCaCertThatIsNoCertificateIsOneClearLine() {
    assertThatThrownBy(() -> RedisStoreConfig.fromUrl("rediss://127.0.0.1:6390?caCert=/etc/hostname", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the CA certificate file /etc/hostname (caCert) must hold the PEM certificate(s) of the CA that "
            + "signed the Redis server's certificate (-----BEGIN CERTIFICATE-----), but it holds none that can be "
            + "read");
  }

  @Test
  void tlsToAPlainPortSaysTheHandshakeFailed() {
    try (RedisServer plain = RedisServer.builder().appendOnly(false).start()) {
      RedisStoreConfig c = RedisStoreConfig.fromUrl("rediss://127.0.0.1:" + plain.port()
          + "?connectTimeout=2s&timeout=2s", Map.of(RedisStoreConfig.ENV_PASSWORD, OLD));
      assertThatThrownBy(() -> RedisJobStore.open(c)).isInstanceOf(StoreException.class)
          .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.CANNOT_OPEN))
          .hasMessageContaining("the TLS handshake with Redis at rediss://:***@127.0.0.1:" + plain.port())
          .hasMessageContaining("Is that a TLS port").hasMessageNotContaining("redis-server running")
          .hasMessageNotContaining(OLD);
    }
  }

  @Test
  void aPasswordChangedUnderARunningProcessIsOneClearRateLimitedError() {
    try (RedisServer redis = RedisServer.builder().appendOnly(false).password(OLD).start();
        RedisJobStore store = RedisJobStore.open(RedisStoreConfig.fromUrl("redis://127.0.0.1:" + redis.port()
            + "?timeout=1s&retryBudget=2s", Map.of(RedisStoreConfig.ENV_PASSWORD, OLD)))) {
      assertThat(store.enqueue(List.of(job()))).hasSize(1);
      store.subscribe(() -> { }); // a pub/sub connection too, as a worker has

      PrintStream stderr = System.err;
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      try {
        try (RespClient admin = new RespClient("127.0.0.1", redis.port(), Duration.ofSeconds(5))) {
          admin.command("AUTH", OLD);
          admin.command("CONFIG", "SET", "requirepass", NEW);
          admin.command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"); // every client must log in again
          admin.command("CLIENT", "KILL", "TYPE", "pubsub");
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThatThrownBy(() -> store.enqueue(List.of(job()))).isInstanceOf(StoreException.class)
                .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.CANNOT_OPEN))
                .hasMessageStartingWith("authentication failed (NOAUTH/WRONGPASS): Redis at redis://:***@127.0.0.1:")
                .hasMessageContaining("WRONGPASS").hasMessageContaining("enqueue was not done")
                .hasMessageNotContaining(OLD).hasMessageNotContaining(NEW));
        // it stays refused for a while (reconnects every 0.5 s, each refused) ...
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        int refused = 0;
        while (System.nanoTime() < until) {
          assertThatThrownBy(store::finishCursor).hasMessageStartingWith("authentication failed (NOAUTH/WRONGPASS)");
          refused++;
        }
        assertThat(refused).isPositive();
      } finally {
        System.setErr(stderr);
      }
      // ... yet the process logged it once, not once per attempt or per call
      String text = log.toString(StandardCharsets.UTF_8);
      assertThat(text.lines().filter(l -> l.contains("RedisLink") && l.contains("authentication failed")))
          .as(text).hasSize(1);
      assertThat(text).doesNotContain(OLD).doesNotContain(NEW);

      try (RespClient admin = new RespClient("127.0.0.1", redis.port(), Duration.ofSeconds(5))) {
        admin.command("AUTH", NEW);
        admin.command("CONFIG", "SET", "requirepass", OLD);
      }
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
          .untilAsserted(() -> assertThat(store.enqueue(List.of(job()))).hasSize(1));
    }
  }
}
