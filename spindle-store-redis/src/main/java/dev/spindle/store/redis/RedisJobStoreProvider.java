package dev.spindle.store.redis;

import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.JobStoreProvider;

/**
 * Opens {@link RedisJobStore}s for {@code redis:} locations (listed in
 * {@code META-INF/services/dev.spindle.queue.spi.JobStoreProvider}). The location is a
 * {@code redis://} URL (see {@link RedisStoreConfig}), or just {@code redis:}, which takes the URL
 * from the environment variable {@value RedisStoreConfig#ENV_URL} so that credentials never have to
 * appear on a command line. Stateless and thread-safe.
 */
public class RedisJobStoreProvider implements JobStoreProvider {
  /** For ServiceLoader. */
  public RedisJobStoreProvider() {}

  @Override
  public String scheme() {
    return "redis";
  }

  /**
   * @throws IllegalArgumentException if the location is malformed (the message never shows a password)
   * @throws dev.spindle.queue.StoreException if Redis cannot be reached or refuses the credentials
   */
  @Override
  public JobStore open(String location) {
    return RedisJobStore.open(RedisStoreConfig.fromLocation(location, System.getenv()));
  }
}
