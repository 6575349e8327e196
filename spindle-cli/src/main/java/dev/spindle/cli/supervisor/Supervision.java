package dev.spindle.cli.supervisor;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Parsing and formatting shared by the supervisor commands. Stateless. */
final class Supervision {
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

  private Supervision() {}

  /** Parses {@code 250ms}, {@code 10s}, {@code 2m}, {@code 1h} or ISO-8601; a usage error if malformed or not positive. */
  static Duration duration(CommandLine cl, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Duration d;
    Matcher m = DURATION.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    } else {
      try {
        d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new CommandLine.ParameterException(cl, "not a duration: '" + text + "' (examples: 250ms, 10s, 2m, PT10S)");
      }
    }
    if (d.isNegative() || d.isZero()) {
      throw new CommandLine.ParameterException(cl, "duration must be positive: '" + text + "'");
    }
    return d;
  }

  /** {@code 850ms}, {@code 12s}, {@code 3m04s}, {@code 2h05m}, {@code 3d04h}. */
  static String human(Duration d) {
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

  /** {@code 84.2 MiB}; {@code -} when unknown (negative). */
  static String bytes(long b) {
    if (b < 0) {
      return "-";
    }
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
