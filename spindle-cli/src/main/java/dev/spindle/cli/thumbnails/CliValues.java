package dev.spindle.cli.thumbnails;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the thumbnails command's human-friendly values. Stateless. */
final class CliValues {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");
  private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|kib|mb|mib|gb|gib)?(?:/s)?");

  private CliValues() {}

  /**
   * {@code 250ms}, {@code 1s}, {@code 1.5s}, {@code 2m}, {@code 1h}, a bare number of seconds, or ISO-8601
   * ({@code PT1S}).
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static Duration duration(String text, String option) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(t);
    if (m.matches()) {
      double v = Double.parseDouble(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      double nanos = v * switch (unit) {
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      return Duration.ofNanos((long) nanos);
    }
    try {
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + ": '" + text + "' is not a duration (e.g. 250ms, 1s, 2m)");
    }
  }

  /**
   * Bytes per second: {@code 8MiB/s}, {@code 500kb/s}, {@code 1000000}; 0 means unlimited.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static long rate(String text, String option) {
    Matcher m = RATE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(option + ": '" + text + "' is not a rate (e.g. 8MiB/s, 500kB/s, 0 = unlimited)");
    }
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    double factor = switch (unit) {
      case "b" -> 1;
      case "kb" -> 1e3;
      case "kib" -> 1024;
      case "mb" -> 1e6;
      case "mib" -> 1024 * 1024;
      case "gb" -> 1e9;
      default -> 1024.0 * 1024 * 1024;
    };
    return (long) (v * factor);
  }

  /**
   * A comma-separated list of positive widths, e.g. {@code 200,64,32}.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static List<Integer> widths(String text) {
    List<Integer> out = new ArrayList<>();
    for (String part : text.split(",")) {
      try {
        out.add(Integer.parseInt(part.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--widths: '" + part.trim() + "' is not a whole number of pixels");
      }
    }
    return out;
  }
}
