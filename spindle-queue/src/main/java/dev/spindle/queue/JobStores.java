package dev.spindle.queue;

import dev.spindle.queue.spi.JobStoreProvider;
import dev.spindle.queue.spi.StoreBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Opens job stores from a location string, finding the backend with {@link ServiceLoader}:
 * {@code sqlite:path/to/file.db} (module {@code spindle-store-sqlite}; a bare path means SQLite too),
 * {@code memory:name} (an in-memory store shared by name inside this JVM), {@code redis://...}
 * (module {@code spindle-store-redis}). Thread-safe.
 */
public final class JobStores {
  /** The default location of the command line and the DISTRIBUTED model: {@code sqlite:spindle-data/spindle.db}. */
  public static final String DEFAULT_LOCATION = "sqlite:spindle-data/spindle.db";
  /** The environment variable that overrides {@link #DEFAULT_LOCATION}. */
  public static final String ENV = "SPINDLE_STORE";

  private JobStores() {}

  /**
   * The location to use when none is given: {@code $SPINDLE_STORE}, else {@link #DEFAULT_LOCATION}.
   */
  public static String defaultLocation() {
    String env = System.getenv(ENV);
    return env != null && !env.isBlank() ? env.trim() : DEFAULT_LOCATION;
  }

  /**
   * Opens a store. The caller closes it. The result is both the hot-path {@code JobStore} a queue
   * and a worker take and the operators' {@code StoreAdmin} the dashboard and the CLI take.
   *
   * @throws IllegalArgumentException if no backend on the classpath handles the scheme (the message
   *     names the module to add)
   * @throws StoreException if the backend cannot open it
   */
  public static StoreBackend open(String location) {
    return open(location, true);
  }

  /**
   * Opens a store that must exist, creating nothing (see {@link JobStoreProvider#openExisting}):
   * for code that only reads. The caller closes it.
   *
   * @throws IllegalArgumentException if no backend on the classpath handles the scheme
   * @throws StoreException NOT_FOUND if there is no store at the location; another reason if the
   *     backend cannot open it
   */
  public static StoreBackend openExisting(String location) {
    return open(location, false);
  }

  private static StoreBackend open(String location, boolean create) {
    String loc = normalize(location);
    String scheme = loc.substring(0, loc.indexOf(':')).toLowerCase(Locale.ROOT);
    List<String> known = new ArrayList<>();
    for (JobStoreProvider p : ServiceLoader.load(JobStoreProvider.class, JobStores.class.getClassLoader())) {
      if (p.scheme().equalsIgnoreCase(scheme)) {
        return create ? p.open(loc) : p.openExisting(loc);
      }
      known.add(p.scheme());
    }
    throw new IllegalArgumentException("no job store for '" + scheme + ":' locations on the classpath (available: "
        + known + ")" + switch (scheme) {
          case "sqlite" -> "; add dev.spindle:spindle-store-sqlite";
          case "redis", "rediss" -> "; add dev.spindle:spindle-store-redis";
          default -> "";
        });
  }

  /** A location with its scheme: a bare file path becomes {@code sqlite:<path>}. */
  public static String normalize(String location) {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("empty store location");
    }
    String l = location.trim();
    int colon = l.indexOf(':');
    boolean hasScheme = colon > 1 && l.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
    return hasScheme ? l : "sqlite:" + l;
  }
}
