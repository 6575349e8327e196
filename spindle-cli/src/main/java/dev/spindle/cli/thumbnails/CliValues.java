package dev.spindle.cli.thumbnails;

import dev.spindle.spi.ByteSizes;
import dev.spindle.spi.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Parses the thumbnails command's human-friendly values. Stateless. */
final class CliValues {
  private static final Pattern SECONDS = Pattern.compile("\\d+(\\.\\d+)?");

  private CliValues() {}

  /**
   * A duration in {@link Durations}' grammar ({@code 250ms}, {@code 1.5s}, {@code 2m}, {@code PT1S}),
   * or a bare number of seconds.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static Duration duration(String text, String option) {
    String t = text.strip();
    try {
      return Durations.parse(SECONDS.matcher(t).matches() ? t + "s" : t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  /**
   * Bytes per second in {@link ByteSizes}' grammar with an optional {@code /s}: {@code 8MiB/s},
   * {@code 500kB/s} (kB = 1000 bytes, KiB = 1024), {@code 1000000}; 0 means unlimited.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static long rate(String text, String option) {
    try {
      return ByteSizes.parseRate(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage() + " (a rate, e.g. 8MiB/s, 500kB/s, 0 = unlimited)",
          e);
    }
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
