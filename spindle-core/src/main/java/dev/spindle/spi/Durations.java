package dev.spindle.spi;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one grammar for durations written by people: command-line options, store URL parameters,
 * configuration files, REST bodies. Stateless; thread-safe.
 *
 * <p>Accepted (case-insensitive, surrounding blanks ignored):
 *
 * <ul>
 *   <li>one or more {@code <number><unit>} terms, added up: {@code 500ms}, {@code 30s},
 *       {@code 1.5s}, {@code 5m}, {@code 1h30m}, {@code 7d}, {@code 10 s}. Units: {@code ns},
 *       {@code us}, {@code ms}, {@code s}, {@code m} (minutes), {@code h}, {@code d} (24 hours).
 *       A number is digits with an optional decimal fraction; precision beyond a nanosecond is
 *       dropped;
 *   <li>ISO-8601, as {@link Duration#parse}: {@code PT30S}, {@code P1DT2H}.
 * </ul>
 *
 * <p>A bare number (no unit), a negative duration, and one beyond {@link #MAX} are refused with
 * an {@link IllegalArgumentException} that repeats the input bounded and escaped ({@link Echo}).
 * Callers add what the value is for, and their own bounds.
 */
public final class Durations {
  /** The longest duration accepted: about a thousand years. */
  public static final Duration MAX = Duration.ofDays(365_250);

  private static final Pattern TERM = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h|d)");
  private static final String EXAMPLES = "examples: 500ms, 30s, 1.5s, 5m, 1h30m, 7d, PT30S";

  private Durations() {}

  /**
   * Parses a duration in the grammar above.
   *
   * @throws IllegalArgumentException if malformed, negative or longer than {@link #MAX} (the message
   *     says which and repeats the input, bounded and escaped)
   */
  public static Duration parse(String text) {
    return parse(text, MAX);
  }

  /**
   * Parses a duration in the grammar above, at most {@code max}.
   *
   * @throws IllegalArgumentException if malformed, negative or longer than {@code max} (the message
   *     says which and repeats the input, bounded and escaped)
   */
  public static Duration parse(String text, Duration max) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(max, "max");
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.isEmpty()) {
      throw new IllegalArgumentException("not a duration: empty (" + EXAMPLES + ")");
    }
    Duration d;
    if (t.startsWith("p") || t.startsWith("-p") || t.startsWith("+p")) {
      try {
        d = Duration.parse(t.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException | ArithmeticException e) {
        throw new IllegalArgumentException("not a duration: '" + Echo.of(text) + "' (" + EXAMPLES + ")");
      }
    } else {
      d = terms(text, t, max);
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("duration '" + Echo.of(text) + "' must not be negative");
    }
    if (d.compareTo(max) > 0) {
      throw tooLong(text, max);
    }
    return d;
  }

  private static IllegalArgumentException tooLong(String text, Duration max) {
    String bound = max.toSeconds() % 86_400 == 0 && max.getNano() == 0 ? max.toDays() + " days" : max.toString();
    return new IllegalArgumentException("duration '" + Echo.of(text) + "' is too long: at most " + bound);
  }

  private static Duration terms(String text, String t, Duration max) {
    Matcher m = TERM.matcher(t);
    BigDecimal nanos = BigDecimal.ZERO;
    int end = 0;
    while (end < t.length() && m.find(end) && m.start() == end) {
      BigDecimal n = new BigDecimal(m.group(1));
      long unit = switch (m.group(2)) {
        case "ns" -> 1L;
        case "us" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "h" -> 3_600_000_000_000L;
        default -> 86_400_000_000_000L;
      };
      nanos = nanos.add(n.multiply(BigDecimal.valueOf(unit)));
      end = m.end();
    }
    if (end == 0 || end != t.length()) {
      String hint = t.matches("\\d+(\\.\\d+)?") ? "a unit is required, " : "";
      throw new IllegalArgumentException("not a duration: '" + Echo.of(text) + "' (" + hint + EXAMPLES + ")");
    }
    BigDecimal[] sec = nanos.setScale(0, RoundingMode.DOWN).divideAndRemainder(BigDecimal.valueOf(1_000_000_000L));
    if (sec[0].compareTo(BigDecimal.valueOf(max.getSeconds())) > 0) {
      throw tooLong(text, max);
    }
    return Duration.ofSeconds(sec[0].longValueExact(), sec[1].longValueExact());
  }
}
