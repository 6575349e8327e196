package dev.spindle.spi;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one grammar for byte sizes written by people: command-line options, store URL parameters,
 * configuration files. Stateless; thread-safe.
 *
 * <p>A size is a number (digits, an optional decimal fraction) and an optional unit, with optional
 * blanks between them; units are case-insensitive:
 *
 * <table>
 *   <caption>Units</caption>
 *   <tr><th>unit</th><th>bytes</th></tr>
 *   <tr><td>none, {@code B}</td><td>1</td></tr>
 *   <tr><td>{@code KB}, {@code MB}, {@code GB}, {@code TB} (SI, decimal)</td><td>10^3, 10^6, 10^9, 10^12</td></tr>
 *   <tr><td>{@code KiB}, {@code MiB}, {@code GiB}, {@code TiB} (IEC, binary)</td><td>2^10, 2^20, 2^30, 2^40</td></tr>
 *   <tr><td>{@code k}, {@code m}, {@code g}, {@code t} (one letter, as the JVM's {@code -Xmx})</td><td>2^10, 2^20, 2^30, 2^40</td></tr>
 * </table>
 *
 * <p>So {@code 512MB} is 512,000,000 bytes and {@code 512MiB} and {@code 512m} are 536,870,912.
 * A fraction of a byte is dropped ({@code 1.5KiB} is 1,536). A suffix {@code /s} is accepted by
 * {@link #parseRate}. Sizes above {@link #MAX} (2^50, 1 PiB) and malformed text are refused with
 * an {@link IllegalArgumentException} that repeats the input bounded and escaped ({@link Echo}).
 */
public final class ByteSizes {
  /** The largest size accepted: 2^50 bytes (1 PiB). */
  public static final long MAX = 1L << 50;

  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?i?b|[kmgt])?");
  private static final String EXAMPLES = "examples: 1048576, 64KiB, 512MB, 512MiB, 2g";

  private ByteSizes() {}

  /**
   * Parses a size in the grammar above.
   *
   * @throws IllegalArgumentException if malformed or above {@link #MAX} (the message says which and
   *     repeats the input, bounded and escaped)
   */
  public static long parse(String text) {
    Objects.requireNonNull(text, "text");
    Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches() || "ib".equals(m.group(2))) {
      throw new IllegalArgumentException("not a size: '" + Echo.of(text) + "' (" + EXAMPLES + ")");
    }
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor(m.group(2))))
        .setScale(0, RoundingMode.DOWN);
    if (bytes.compareTo(BigDecimal.valueOf(MAX)) > 0) {
      throw new IllegalArgumentException("size '" + Echo.of(text) + "' is too large: at most 2^50 bytes (1 PiB)");
    }
    return bytes.longValueExact();
  }

  /**
   * Parses a rate in bytes per second: a size with an optional {@code /s} suffix, e.g. {@code 8MiB/s}.
   *
   * @throws IllegalArgumentException as {@link #parse}
   */
  public static long parseRate(String text) {
    Objects.requireNonNull(text, "text");
    String t = text.strip();
    if (t.toLowerCase(Locale.ROOT).endsWith("/s")) {
      t = t.substring(0, t.length() - 2);
    }
    return parse(t);
  }

  private static long factor(String unit) {
    if (unit == null || unit.equals("b")) {
      return 1;
    }
    int power = "kmgt".indexOf(unit.charAt(0)) + 1;
    boolean decimal = unit.length() == 2; // kb, mb, gb, tb; one letter or kib, mib, ... are binary
    long f = 1;
    for (int i = 0; i < power; i++) {
      f *= decimal ? 1000 : 1024;
    }
    return f;
  }
}
