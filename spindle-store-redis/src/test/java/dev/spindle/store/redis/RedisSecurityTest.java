package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.testkit.redis.RedisServer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ACL users, passwords and TLS against a real redis-server; secrets never appear in messages. */
class RedisSecurityTest {
  private static final String SECRET = "Pw-7f3!x";
  private static RedisServer redis;

  @BeforeAll
  static void start() {
    redis = RedisServer.builder().appendOnly(false).password("admin-" + SECRET).aclUser("spindle", SECRET).tls(true)
        .start();
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  private static NewJob job() {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");
    return new NewJob("sec.task", "1", "default", 0, now, null, JobPolicy.defaults(), now);
  }

  private static void roundTrip(RedisStoreConfig config) {
    try (RedisJobStore store = RedisJobStore.open(config)) {
      String id = store.enqueue(List.of(job())).get(0).jobId();
      assertThat(store.find(id)).isPresent();
    }
  }

  @Test
  void aclUserAndPasswordFromTheUrl() {
    roundTrip(RedisStoreConfig.fromUrl("redis://spindle:" + SECRET.replace("!", "%21") + "@127.0.0.1:" + redis.port()
        + "?namespace=acl", Map.of()));
  }

  @Test
  void passwordFromTheEnvironment() {
    roundTrip(RedisStoreConfig.fromUrl("redis://spindle@127.0.0.1:" + redis.port() + "?namespace=env",
        Map.of(RedisStoreConfig.ENV_PASSWORD, SECRET)));
    roundTrip(RedisStoreConfig.fromLocation("redis:", Map.of(RedisStoreConfig.ENV_URL,
        "redis://:admin-" + SECRET.replace("!", "%21") + "@127.0.0.1:" + redis.port() + "?namespace=default-user")));
  }

  @Test
  void wrongOrMissingCredentialsFailClearlyWithoutShowingThePassword() {
    RedisStoreConfig wrong = RedisStoreConfig.fromUrl("redis://spindle:not-" + SECRET.replace("!", "%21")
        + "@127.0.0.1:" + redis.port(), Map.of());
    assertThatThrownBy(() -> RedisJobStore.open(wrong)).isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.CANNOT_OPEN))
        .hasMessageContaining("refused the credentials").hasMessageContaining("spindle:***@")
        .hasMessageNotContaining(SECRET);
    RedisStoreConfig none = RedisStoreConfig.fromUrl("redis://127.0.0.1:" + redis.port(), Map.of());
    assertThatThrownBy(() -> RedisJobStore.open(none)).isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.CANNOT_OPEN));
  }

  @Test
  void tlsWithTheServersCaCertificate() {
    RedisStoreConfig c = RedisStoreConfig.fromUrl(redis.tlsUrl() + "?namespace=tls&caCert=" + redis.caCertificate(),
        Map.of(RedisStoreConfig.ENV_USERNAME, "spindle", RedisStoreConfig.ENV_PASSWORD, SECRET));
    assertThat(c.tls()).isTrue();
    assertThat(c.describe()).startsWith("rediss://spindle:***@127.0.0.1:").doesNotContain(SECRET);
    roundTrip(c);
  }

  @Test
  void tlsWithAnUntrustedCertificateFailsClearly() {
    RedisStoreConfig c = RedisStoreConfig.fromUrl(redis.tlsUrl() + "?connectTimeout=20s",
        Map.of(RedisStoreConfig.ENV_USERNAME, "spindle", RedisStoreConfig.ENV_PASSWORD, SECRET));
    assertThatThrownBy(() -> RedisJobStore.open(c)).isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.CANNOT_OPEN))
        .hasMessageContaining("TLS").hasMessageNotContaining(SECRET);
  }

  @Test
  void anUnreachableServerIsUnavailable() {
    RedisStoreConfig c = RedisStoreConfig.fromUrl("redis://127.0.0.1:1?connectTimeout=1s", Map.of());
    assertThatThrownBy(() -> RedisJobStore.open(c)).isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.UNAVAILABLE))
        .hasMessageContaining("cannot connect to Redis at redis://127.0.0.1:1/0");
  }
}
