package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.JobStoreProvider;
import dev.spindle.spi.Echo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Opens {@code sqlite:} locations: {@code sqlite:relative/or/absolute/path.db}
 * ({@code sqlite:///abs/path.db} also works), with optional parameters after {@code ?}:
 * {@code durability=normal|full}, {@code busyTimeoutMs=N}, {@code maxDatabaseBytes=N},
 * {@code maxPayloadBytes=N}, {@code wakeupMs=N}. Example:
 * {@code sqlite:spindle-data/spindle.db?durability=full}.
 */
public final class SqliteJobStoreProvider implements JobStoreProvider {
  @Override
  public String scheme() {
    return "sqlite";
  }

  @Override
  public JobStore open(String location) {
    String rest = location.substring(location.indexOf(':') + 1);
    String query = null;
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
    if (query != null && !query.isEmpty()) {
      for (String kv : query.split("&")) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("malformed parameter '" + Echo.of(kv) + "' in '" + Echo.of(location)
              + "'");
        }
        String k = kv.substring(0, eq);
        String v = kv.substring(eq + 1);
        try {
          switch (k) {
            case "durability" -> b.durability(durability(v));
            case "requirePrivate" -> b.requirePrivate(bool(k, v));
            case "busyTimeoutMs" -> b.busyTimeout(Duration.ofMillis(Long.parseLong(v)));
            case "maxDatabaseBytes" -> b.maxDatabaseBytes(Long.parseLong(v));
            case "maxPayloadBytes" -> b.maxPayloadBytes(Integer.parseInt(v));
            case "wakeupMs" -> b.wakeupInterval(Duration.ofMillis(Long.parseLong(v)));
            default -> throw new IllegalArgumentException("unknown parameter '" + Echo.of(k) + "' in '"
                + Echo.of(location)
                + "' (known: durability, busyTimeoutMs, maxDatabaseBytes, maxPayloadBytes, wakeupMs, "
                + "requirePrivate)");
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("parameter " + k + " in '" + Echo.of(location) + "' is not a number: "
              + Echo.of(v), e);
        }
      }
    }
    return b.open();
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
