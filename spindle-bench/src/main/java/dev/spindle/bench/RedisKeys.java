package dev.spindle.bench;

import dev.spindle.testkit.redis.RedisServer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a Redis server's keys hold, by kind: every key is scanned, its kind is the part after the
 * namespace's hash tag up to the next {@code :} ({@code {ns}:ds:42} is {@code ds}), and {@code MEMORY
 * USAGE} of up to {@link #SAMPLE} keys of each kind estimates the kind's bytes. For benchmarks;
 * one caller at a time.
 */
final class RedisKeys {
  /** How many keys of each kind are measured. */
  static final int SAMPLE = 500;

  private RedisKeys() {}

  /** A kind's key count and the bytes of its measured keys. */
  private static final class Kind {
    long keys;
    long sampled;
    long sampledBytes;

    double bytes() {
      return sampled == 0 ? 0 : sampledBytes * (double) keys / sampled;
    }
  }

  /** Prints the keys by kind and their estimated bytes per {@code perJobs} jobs. */
  static void print(RedisServer redis, int perJobs) {
    Map<String, Kind> kinds = new TreeMap<>();
    String cursor = "0";
    do {
      List<?> page = (List<?>) Objects.requireNonNull(redis.command("SCAN", cursor, "COUNT", "10000"));
      cursor = (String) page.get(0);
      for (Object k : (List<?>) page.get(1)) {
        String key = (String) k;
        Kind kind = kinds.computeIfAbsent(kindOf(key), x -> new Kind());
        kind.keys++;
        if (kind.sampled < SAMPLE) {
          Object bytes = redis.command("MEMORY", "USAGE", key, "SAMPLES", "0");
          if (bytes instanceof Long b) {
            kind.sampled++;
            kind.sampledBytes += b;
          }
        }
      }
    } while (!cursor.equals("0"));
    System.out.printf(Locale.ROOT, "redis keys by kind (MEMORY USAGE of up to %d keys each, scaled):%n", SAMPLE);
    double total = 0;
    for (Map.Entry<String, Kind> e : kinds.entrySet()) {
      Kind k = e.getValue();
      total += k.bytes();
      System.out.printf(Locale.ROOT, "  %-12s %,9d keys %,13.0f bytes = %,7.1f bytes per job%n", e.getKey(), k.keys,
          k.bytes(), k.bytes() / perJobs);
    }
    System.out.printf(Locale.ROOT, "  %-12s %,9d keys %,13.0f bytes = %,7.1f bytes per job%n", "(total)",
        kinds.values().stream().mapToLong(k -> k.keys).sum(), total, total / perJobs);
  }

  private static String kindOf(String key) {
    int tag = key.indexOf("}:");
    String rest = tag < 0 ? key : key.substring(tag + 2);
    int colon = rest.indexOf(':');
    return colon < 0 ? rest : rest.substring(0, colon);
  }
}
