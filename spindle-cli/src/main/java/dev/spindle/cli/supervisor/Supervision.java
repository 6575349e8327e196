package dev.spindle.cli.supervisor;

import dev.spindle.cli.DurationArgs;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/** Parsing and formatting shared by the supervisor commands. Stateless. */
final class Supervision {
  private Supervision() {}

  /** A positive duration ({@link DurationArgs#parse} forms); a usage error if malformed or not positive. */
  static Duration duration(CommandLine cl, String text) {
    Duration d = DurationArgs.parse(cl, text);
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
