package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** URL and environment parsing, secrets handling and validation of {@link RedisStoreConfig}. */
class RedisStoreConfigTest {
  @Test
  void defaultsForAPlainUrl() {
    RedisStoreConfig c = RedisStoreConfig.fromUrl("redis://10.0.0.5", Map.of());
    assertThat(c.host()).isEqualTo("10.0.0.5");
    assertThat(c.port()).isEqualTo(6379);
    assertThat(c.database()).isZero();
    assertThat(c.tls()).isFalse();
    assertThat(c.namespace()).isEqualTo("spindle");
    assertThat(c.keyPrefix()).isEqualTo("{spindle}:");
    assertThat(c.username()).isNull();
    assertThat(c.hasPassword()).isFalse();
    assertThat(c.cluster()).isFalse();
    assertThat(c.commandTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.retryBudget()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.describe()).isEqualTo("redis://10.0.0.5:6379/0 (namespace spindle)");
  }

  @Test
  void everyPartOfAUrl() {
    RedisStoreConfig c = RedisStoreConfig.fromUrl("rediss://alice:s%40cret%3Aw0rd@cache.example:6380/3?namespace=jobs"
        + "&timeout=750ms&connectTimeout=2s&retryBudget=1m&watchdog=PT0.5S&verifyPeer=ca&clientName=api", Map.of());
    assertThat(c.host()).isEqualTo("cache.example");
    assertThat(c.port()).isEqualTo(6380);
    assertThat(c.database()).isEqualTo(3);
    assertThat(c.tls()).isTrue();
    assertThat(c.verifyPeer()).isEqualTo(RedisStoreConfig.VerifyPeer.CA);
    assertThat(c.username()).isEqualTo("alice");
    assertThat(new String(c.password())).isEqualTo("s@cret:w0rd");
    assertThat(c.namespace()).isEqualTo("jobs");
    assertThat(c.commandTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.retryBudget()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.watchdogInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.clientName()).isEqualTo("api");
  }

  @Test
  void describeAndToStringNeverShowThePassword() {
    RedisStoreConfig c = RedisStoreConfig.fromUrl("redis://bob:hunter2@h:1/2", Map.of());
    assertThat(c.describe()).isEqualTo("redis://bob:***@h:1/2 (namespace spindle)").doesNotContain("hunter2");
    assertThat(c.toString()).doesNotContain("hunter2");
    RedisStoreConfig p = RedisStoreConfig.fromUrl("redis://:hunter2@h", Map.of());
    assertThat(p.username()).isNull();
    assertThat(p.describe()).isEqualTo("redis://:***@h:6379/0 (namespace spindle)");
  }

  @Test
  void credentialsComeFromTheEnvironmentWhenTheUrlHasNone() {
    RedisStoreConfig c = RedisStoreConfig.fromUrl("redis://h", Map.of(RedisStoreConfig.ENV_USERNAME, "svc",
        RedisStoreConfig.ENV_PASSWORD, "pw-from-env"));
    assertThat(c.username()).isEqualTo("svc");
    assertThat(new String(c.password())).isEqualTo("pw-from-env");
    RedisStoreConfig url = RedisStoreConfig.fromUrl("redis://u:p@h", Map.of(RedisStoreConfig.ENV_PASSWORD, "other"));
    assertThat(new String(url.password())).as("the URL wins").isEqualTo("p");
  }

  @Test
  void passwordFileIsRead(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("redis.pass");
    Files.writeString(f, "from-file\n");
    RedisStoreConfig c = RedisStoreConfig.fromUrl("redis://svc@h?passwordFile=" + f, Map.of(
        RedisStoreConfig.ENV_PASSWORD, "ignored"));
    assertThat(new String(c.password())).isEqualTo("from-file");
    assertThat(c.username()).isEqualTo("svc");
    assertThatThrownBy(() -> RedisStoreConfig.fromUrl("redis://h?passwordFile=" + dir.resolve("missing"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read the Redis password file");
  }

  @Test
  void environmentUrl() {
    RedisStoreConfig c = RedisStoreConfig.fromEnvironment(Map.of(RedisStoreConfig.ENV_URL, " redis://h:7000/1 "));
    assertThat(c.port()).isEqualTo(7000);
    assertThat(c.database()).isEqualTo(1);
    assertThatThrownBy(() -> RedisStoreConfig.fromEnvironment(Map.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("set SPINDLE_REDIS_URL");
    assertThat(RedisStoreConfig.fromLocation("redis:", Map.of(RedisStoreConfig.ENV_URL, "redis://e:1")).host())
        .isEqualTo("e");
    assertThatThrownBy(() -> RedisStoreConfig.fromLocation("rediss:", Map.of(RedisStoreConfig.ENV_URL, "redis://e:1")))
        .hasMessageContaining("TLS");
  }

  @Test
  void malformedUrlsAreRefusedWithoutEchoingSecrets() {
    assertThatThrownBy(() -> RedisStoreConfig.fromUrl("http://h", Map.of())).hasMessageContaining("redis://");
    assertThatThrownBy(() -> RedisStoreConfig.fromUrl("redis://h/zero", Map.of())).hasMessageContaining("database");
    assertThatThrownBy(() -> RedisStoreConfig.fromUrl("redis://h?colour=red", Map.of()))
        .hasMessageContaining("unknown Redis URL option 'colour'");
    assertThatThrownBy(() -> RedisStoreConfig.fromUrl("redis://h?timeout=soon", Map.of()))
        .hasMessageContaining("duration");
    assertThatThrownBy(() -> RedisStoreConfig.fromUrl("redis://h?namespace=a%7Bb%7D", Map.of()))
        .hasMessageContaining("namespace");
    assertThatThrownBy(() -> RedisStoreConfig.fromUrl("redis://u:topsecret@h?cluster=true&database=2", Map.of()))
        .hasMessageContaining("database 0").hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> RedisStoreConfig.fromUrl("redis://u:topsecret@h:99999", Map.of()))
        .hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> RedisStoreConfig.fromUrl("redis://h?caCert=/x.pem", Map.of()))
        .hasMessageContaining("rediss://");
  }

  @Test
  void theProviderRefusesPasswordsTypedIntoALocation() {
    assertThatThrownBy(() -> RedisJobStoreProvider.config("redis://u:topsecret@h/0", Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SPINDLE_REDIS_URL")
        .hasMessageNotContaining("topsecret");
    String url = "redis://u:topsecret@h/0";
    assertThat(RedisJobStoreProvider.config(url, Map.of(RedisStoreConfig.ENV_URL, url)).hasPassword())
        .as("the same URL from the environment is fine").isTrue();
    assertThat(RedisJobStoreProvider.config(url, Map.of("SPINDLE_STORE", url)).hasPassword()).isTrue();
    assertThat(RedisJobStoreProvider.config("redis:", Map.of(RedisStoreConfig.ENV_URL, url)).hasPassword()).isTrue();
    assertThat(RedisJobStoreProvider.config("redis://u@h/0", Map.of(RedisStoreConfig.ENV_PASSWORD, "x"))
        .hasPassword()).as("password from the environment").isTrue();
  }
}
