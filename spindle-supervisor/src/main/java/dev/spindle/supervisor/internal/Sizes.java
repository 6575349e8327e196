package dev.spindle.supervisor.internal;

import dev.spindle.spi.ByteSizes;
import dev.spindle.spi.Durations;
import java.time.Duration;
import java.util.Locale;

/**
 * Parses (with spindle-core's {@link ByteSizes} and {@link Durations}, adding what the value is)
 * and prints byte sizes and durations the way configuration files and the CLI write them. Stateless.
 */
public final class Sizes {
  private Sizes() {}

  /**
   * Parses a size in {@link ByteSizes}' grammar: {@code 512m} and {@code 64MiB} are binary,
   * {@code 512MB} decimal, {@code 1048576} bytes.
   *
   * @param what what the value is, for the message
   * @throws IllegalArgumentException if malformed or over 2^50 (the message starts with {@code what})
   */
  public static long parseBytes(String text, String what) {
    if (text == null) {
      throw new IllegalArgumentException(what + ": a size is required (e.g. 512MiB)");
    }
    try {
      return ByteSizes.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
  }

  /**
   * Parses a duration in {@link Durations}' grammar: {@code 250ms}, {@code 10s}, {@code 2m},
   * {@code 1h}, {@code PT10S}.
   *
   * @throws IllegalArgumentException if malformed or negative (the message starts with {@code what})
   */
  public static Duration parseDuration(String text, String what) {
    if (text == null) {
      throw new IllegalArgumentException(what + ": a duration is required (e.g. 10s)");
    }
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
  }

  /** {@code 512.0 MiB}, {@code 1.5 GiB}, {@code 900 B}; {@code -} for a negative (unknown) value. */
  public static String formatBytes(long bytes) {
    if (bytes < 0) {
      return "-";
    }
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** {@code 850ms}, {@code 12s}, {@code 3m04s}, {@code 2h05m}, {@code 3d04h}. */
  public static String formatDuration(Duration d) {
    if (d == null) {
      return "-";
    }
    long ms = Math.max(0, d.toMillis());
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3600);
  }
}
