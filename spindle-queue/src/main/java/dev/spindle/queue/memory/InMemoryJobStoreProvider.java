package dev.spindle.queue.memory;

import dev.spindle.queue.spi.JobStoreProvider;
import dev.spindle.queue.spi.StoreBackend;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens {@code memory:name} stores: one {@link InMemoryJobStore} per name in this JVM, shared by
 * everyone who opens that name and never closed (closing it is a no-op). Thread-safe.
 */
public final class InMemoryJobStoreProvider implements JobStoreProvider {
  private static final ConcurrentHashMap<String, InMemoryJobStore> STORES = new ConcurrentHashMap<>();

  @Override
  public String scheme() {
    return "memory";
  }

  @Override
  public StoreBackend open(String location) {
    String name = location.substring(location.indexOf(':') + 1);
    if (name.isEmpty()) {
      name = "default";
    }
    return STORES.computeIfAbsent(name, n -> new InMemoryJobStore(n, false));
  }
}
