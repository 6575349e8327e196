package dev.spindle.cli;

import dev.spindle.spi.Echo;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Durations given on the command line, for every command. Stateless. */
public final class DurationArgs {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  /** The longest duration accepted: the queue's scheduling horizon (36,525 days). */
  public static final Duration MAX = Duration.ofDays(36_525);

  private DurationArgs() {}

  /**
   * Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}, combinations such as
   * {@code 1h30m}, or ISO-8601 ({@code PT30S}).
   *
   * @throws CommandLine.ParameterException (a usage error) if malformed or beyond
   *     {@link #MAX} (the message repeats the input bounded and escaped)
   */
  public static Duration parse(CommandLine cl, String text) {
    Duration d;
    try {
      d = parseUnbounded(cl, text);
    } catch (ArithmeticException | NumberFormatException e) {
      d = null;
    }
    if (d == null || d.compareTo(MAX) > 0) {
      throw new CommandLine.ParameterException(cl, "duration '" + Echo.of(text) + "' is too long: at most "
          + MAX.toDays() + " days (about 100 years)");
    }
    return d;
  }

  private static Duration parseUnbounded(CommandLine cl, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("p")) {
      try {
        return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new CommandLine.ParameterException(cl, "not a duration: '" + Echo.of(text) + "'");
      }
    }
    Matcher m = DURATION.matcher(t);
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      d = d.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      });
      end = m.end();
    }
    if (end == 0 || end != t.length()) {
      throw new CommandLine.ParameterException(cl, "not a duration: '" + Echo.of(text) + "' (examples: 500ms, 30s, "
          + "5m, 1h30m,"
          + " 7d, PT30S)");
    }
    return d;
  }
}
