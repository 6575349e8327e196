package dev.spindle.cli;

import dev.spindle.spi.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** Durations given on the command line, for every command, in {@link Durations}' grammar. Stateless. */
public final class DurationArgs {
  /** The longest duration accepted: the queue's scheduling horizon (36,525 days). */
  public static final Duration MAX = Duration.ofDays(36_525);

  private DurationArgs() {}

  /**
   * Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}, combinations such as
   * {@code 1h30m}, or ISO-8601 ({@code PT30S}): the grammar of {@link Durations}.
   *
   * @throws CommandLine.ParameterException (a usage error) if malformed or beyond
   *     {@link #MAX} (the message repeats the input bounded and escaped)
   */
  public static Duration parse(CommandLine cl, String text) {
    try {
      return Durations.parse(text, MAX);
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      throw new CommandLine.ParameterException(cl, m + (m != null && m.contains("too long") ? " (about 100 years)" : ""));
    }
  }
}
