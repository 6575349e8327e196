package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.JobStoreProvider;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.spi.ByteSizes;
import dev.spindle.spi.Durations;
import dev.spindle.spi.Echo;
import dev.spindle.store.jdbc.internal.StoreLocation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Opens {@code sqlite:} locations: {@code sqlite:relative/or/absolute/path.db}
 * ({@code sqlite:///abs/path.db} also works), with optional parameters after {@code ?}:
 * {@code durability=normal|full}, {@code busyTimeout=10s}, {@code wakeup=2ms} (durations in
 * {@link Durations}' grammar; {@code busyTimeoutMs=N} and {@code wakeupMs=N} in milliseconds are
 * still read), {@code maxDatabaseBytes=2GiB}, {@code maxPayloadBytes=16MiB} (sizes in
 * {@link ByteSizes}' grammar: a bare number is bytes, MB is 10^6, MiB 2^20),
 * {@code requirePrivate=true|false}. Example:
 * {@code sqlite:spindle-data/spindle.db?durability=full&busyTimeout=30s}.
 */
public final class SqliteJobStoreProvider implements JobStoreProvider {
  @Override
  public String scheme() {
    return "sqlite";
  }

  @Override
  public StoreBackend open(String location) {
    return builder(location).open();
  }

  /**
   * Opens an existing store only: a missing (or empty) file fails with NOT_FOUND, and no directory
   * or file is created.
   */
  @Override
  public StoreBackend openExisting(String location) {
    return builder(location).createIfMissing(false).open();
  }

  private static SqliteJobStore.Builder builder(String location) {
    String rest = location.substring(location.indexOf(':') + 1);
    String query = "";
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    if (rest.startsWith("//")) {
      rest = rest.substring(2);
    }
    if (rest.isBlank()) {
      throw new IllegalArgumentException("no file in SQLite store location '" + Echo.of(location) + "'");
    }
    SqliteJobStore.Builder b = SqliteJobStore.builder(Path.of(rest));
    StoreLocation.query(query, location).forEach((k, v) -> {
      try {
        switch (k) {
          case "durability" -> b.durability(durability(v));
          case "requirePrivate" -> b.requirePrivate(bool(k, v));
          case "busyTimeout" -> b.busyTimeout(StoreLocation.duration(k, v));
          case "busyTimeoutMs" -> b.busyTimeout(Duration.ofMillis(Long.parseLong(v)));
          case "maxDatabaseBytes" -> b.maxDatabaseBytes(StoreLocation.size(k, v));
          case "maxPayloadBytes" -> b.maxPayloadBytes(Math.toIntExact(StoreLocation.size(k, v)));
          case "wakeup" -> b.wakeupInterval(StoreLocation.duration(k, v));
          case "wakeupMs" -> b.wakeupInterval(Duration.ofMillis(Long.parseLong(v)));
          default -> throw new IllegalArgumentException("unknown parameter '" + Echo.of(k) + "' in '"
              + Echo.of(location)
              + "' (known: durability, busyTimeout, maxDatabaseBytes, maxPayloadBytes, wakeup, requirePrivate)");
        }
      } catch (NumberFormatException | ArithmeticException e) {
        throw new IllegalArgumentException("parameter " + k + " in '" + Echo.of(location) + "' is not a number: "
            + Echo.of(v), e);
      }
    });
    return b;
  }

  private static SqliteJobStore.Durability durability(String v) {
    for (SqliteJobStore.Durability d : SqliteJobStore.Durability.values()) {
      if (d.name().equalsIgnoreCase(v)) {
        return d;
      }
    }
    throw new IllegalArgumentException("durability must be one of "
        + java.util.Arrays.stream(SqliteJobStore.Durability.values()).map(d -> d.name().toLowerCase(Locale.ROOT))
            .toList() + ", not '" + Echo.of(v) + "'");
  }

  private static boolean bool(String k, String v) {
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new IllegalArgumentException(k + " must be true or false, not '" + Echo.of(v) + "'");
  }
}
