package dev.spindle.store.postgres;

/** Opens {@code postgresql://} locations, the same as {@link PostgresJobStoreProvider}'s {@code postgres://}. */
public final class PostgresqlJobStoreProvider extends PostgresJobStoreProvider {
  @Override
  public String scheme() {
    return "postgresql";
  }
}
