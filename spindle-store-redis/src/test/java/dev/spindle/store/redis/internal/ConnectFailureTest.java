package dev.spindle.store.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.StoreException.Reason;
import dev.spindle.store.redis.RedisStoreConfig;
import dev.spindle.testkit.redis.RedisServer;
import io.lettuce.core.RedisConnectionException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A connect failure that names no cause (Lettuce's handshake may report "Connection closed
 * prematurely" when the server refused the credentials) is classified by asking the server.
 */
class ConnectFailureTest {
  private static final String SECRET = "s3cret-Pw";
  private static final RedisConnectionException CLOSED_CHANNEL =
      new RedisConnectionException("Connection closed prematurely");
  private static RedisServer redis;

  @BeforeAll
  static void start() {
    redis = RedisServer.builder().appendOnly(false).password("admin-" + SECRET).aclUser("spindle", SECRET).start();
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  private static StoreException classify(String url) {
    RedisLink link = new RedisLink(RedisStoreConfig.fromUrl(url, Map.of()));
    try {
      return link.connectFailure(CLOSED_CHANNEL);
    } finally {
      link.close();
    }
  }

  @Test
  void aRefusedPasswordIsCannotOpenEvenWhenTheHandshakeReportsOnlyAClosedChannel() {
    StoreException e = classify("redis://spindle:wrong@127.0.0.1:" + redis.port());
    assertThat(e.reason()).isEqualTo(Reason.CANNOT_OPEN);
    assertThat(e).hasMessageContaining("refused the credentials").hasMessageContaining("WRONGPASS")
        .hasMessageNotContaining("wrong@").hasMessageNotContaining(SECRET);
    assertThat(classify("redis://:wrong@127.0.0.1:" + redis.port()).reason()).isEqualTo(Reason.CANNOT_OPEN);
  }

  @Test
  void acceptedCredentialsLeaveTheFailureUnavailable() {
    StoreException e = classify("redis://spindle:" + SECRET + "@127.0.0.1:" + redis.port());
    assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
    assertThat(e).hasMessageContaining("Connection closed prematurely").hasMessageNotContaining(SECRET);
  }

  @Test
  void missingCredentialsAreCannotOpenWhenTheServerRequiresThem() {
    StoreException e = classify("redis://127.0.0.1:" + redis.port());
    assertThat(e.reason()).isEqualTo(Reason.CANNOT_OPEN);
    assertThat(e).hasMessageContaining("NOAUTH");
  }

  @Test
  void anUnreachableServerIsNotAsked() {
    StoreException e = new RedisLink(RedisStoreConfig.fromUrl("redis://spindle:pw@127.0.0.1:1", Map.of()))
        .connectFailure(new RedisConnectionException("Unable to connect", new java.net.ConnectException(
            "Connection refused")));
    assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
  }
}
