package dev.spindle.store.redis;

import dev.spindle.queue.spi.JobStoreProvider;
import dev.spindle.queue.spi.StoreBackend;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Opens {@link RedisJobStore}s for {@code redis:} locations (listed in
 * {@code META-INF/services/dev.spindle.queue.spi.JobStoreProvider}), as the command line
 * ({@code --store}, {@code $SPINDLE_STORE}) and the DISTRIBUTED model name stores.
 *
 * <p>The location is a {@code redis://} URL (see {@link RedisStoreConfig}), or just {@code redis:},
 * which takes the URL from {@value RedisStoreConfig#ENV_URL}. Because such locations are often
 * typed on command lines, where every user of the machine can read them ({@code ps}, shell
 * history), a location with a password in it is refused unless it is the value of
 * {@value RedisStoreConfig#ENV_URL} or {@code SPINDLE_STORE}; give the password through
 * {@value RedisStoreConfig#ENV_URL}, {@value RedisStoreConfig#ENV_PASSWORD} or the
 * {@code passwordFile} option instead (programs can also pass a {@link RedisStoreConfig} to
 * {@link RedisJobStore#open(RedisStoreConfig)}). Stateless and thread-safe.
 */
public class RedisJobStoreProvider implements JobStoreProvider {
  /** For ServiceLoader. */
  public RedisJobStoreProvider() {}

  @Override
  public String scheme() {
    return "redis";
  }

  /**
   * @throws IllegalArgumentException if the location is malformed or carries a password it should
   *     not (the message never shows the password)
   * @throws dev.spindle.queue.StoreException if Redis cannot be reached or refuses the credentials
   */
  @Override
  public StoreBackend open(String location) {
    RedisStoreConfig c = config(location, System.getenv());
    return c.drainUpTo() > 1 ? PartitionedRedisJobStore.open(c) : RedisJobStore.open(c);
  }

  /** The configuration for a location, given the environment. */
  static RedisStoreConfig config(String location, Map<String, String> env) {
    RedisStoreConfig c = RedisStoreConfig.fromLocation(location, env);
    String l = location.strip();
    boolean fromEnv = l.equals(strip(env.get(RedisStoreConfig.ENV_URL))) || l.equals(strip(env.get("SPINDLE_STORE")))
        || !l.contains("//");
    if (!fromEnv && RedisStoreConfig.hasInlinePassword(l)) {
      throw new IllegalArgumentException("the store location " + c.describe() + " contains a password; a location "
          + "given on a command line is visible to every user of the machine (ps, shell history). Put the URL in "
          + RedisStoreConfig.ENV_URL + " and use the location 'redis:', or give the password in "
          + RedisStoreConfig.ENV_PASSWORD + " or a passwordFile=PATH option");
    }
    return c;
  }

  private static @Nullable String strip(@Nullable String s) {
    return s == null ? null : s.strip();
  }
}
