package dev.spindle.supervisor.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints byte sizes and durations the way configuration files and the CLI write them. Stateless. */
public final class Sizes {
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,12})\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

  private Sizes() {}

  /**
   * Parses {@code 512m}, {@code 1g}, {@code 64MiB}, {@code 1048576} (binary units).
   *
   * @param what what the value is, for the message
   * @throws IllegalArgumentException if malformed or over 2^50
   */
  public static long parseBytes(String text, String what) {
    if (text == null) {
      throw new IllegalArgumentException(what + ": a size is required (e.g. 512m)");
    }
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(what + ": not a size like 512m, 2g or 1048576: '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      default -> 0;
    };
    if (n > (1L << 50) >> shift) {
      throw new IllegalArgumentException(what + ": size too large: '" + text + "'");
    }
    return n << shift;
  }

  /**
   * Parses {@code 250ms}, {@code 10s}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT10S}).
   *
   * @throws IllegalArgumentException if malformed or negative
   */
  public static Duration parseDuration(String text, String what) {
    if (text == null) {
      throw new IllegalArgumentException(what + ": a duration is required (e.g. 10s)");
    }
    String t = text.trim();
    Matcher m = DURATION.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    try {
      Duration d = Duration.parse(t);
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + ": must not be negative: '" + text + "'");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(what + ": not a duration like 250ms, 10s, 2m or PT10S: '" + text + "'");
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
