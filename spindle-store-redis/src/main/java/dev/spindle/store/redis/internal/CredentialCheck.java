package dev.spindle.store.redis.internal;

import dev.spindle.store.redis.RedisStoreConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import java.nio.CharBuffer;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Asks a Redis server directly whether it accepts the configured credentials.
 *
 * <p>Lettuce authenticates inside its connection handshake, and when the server refuses the
 * credentials the handshake may report the channel it closed ("Connection closed prematurely")
 * instead of the refusal. This check connects <em>without</em> credentials and without a PING, then
 * sends {@code AUTH} (or, with no credentials, {@code PING}) as an ordinary command, whose refusal
 * comes back as that command's error: refused credentials are told apart from an unreachable
 * server every time. Stateless; each call opens and closes one connection.
 */
final class CredentialCheck {
  private CredentialCheck() {}

  /**
   * The server's refusal of the configured credentials (first line of its WRONGPASS/NOAUTH error;
   * without credentials, a PING refused with NOAUTH), or {@code null} if it accepts them or cannot
   * be asked.
   *
   * @param address the server's address, TLS settings and database, without credentials
   */
  static @Nullable String refusal(RedisStoreConfig config, RedisURI address, ClientResources resources,
      SocketOptions socket, SslOptions ssl) {
    char[] password = config.password();
    RedisClient client = RedisClient.create(resources, address);
    client.setOptions(ClientOptions.builder().autoReconnect(false).pingBeforeActivateConnection(false)
        .socketOptions(socket).sslOptions(ssl)
        .protocolVersion(ProtocolVersion.RESP2).build());
    try (StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8)) {
      String user = config.username();
      if (password == null) {
        c.sync().ping();
      } else if (user != null) {
        c.sync().auth(user, CharBuffer.wrap(password));
      } else {
        c.sync().auth(CharBuffer.wrap(password));
      }
      return null;
    } catch (RuntimeException e) {
      return StoreErrors.authRefusal(e);
    } finally {
      if (password != null) {
        Arrays.fill(password, '\0');
      }
      client.shutdown();
    }
  }
}
