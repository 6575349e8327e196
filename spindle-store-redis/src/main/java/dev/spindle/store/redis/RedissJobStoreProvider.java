package dev.spindle.store.redis;

/**
 * Opens {@link RedisJobStore}s over TLS for {@code rediss:} locations; otherwise like
 * {@link RedisJobStoreProvider}. Stateless and thread-safe.
 */
public final class RedissJobStoreProvider extends RedisJobStoreProvider {
  /** For ServiceLoader. */
  public RedissJobStoreProvider() {}

  @Override
  public String scheme() {
    return "rediss";
  }
}
