package dev.spindle.queue;

/**
 * How much of a job's progress reports a worker keeps ({@link dev.spindle.TaskContext#progress},
 * {@link dev.spindle.TaskContext#log}): the last {@code maxLines} log lines per job (older ones are
 * dropped by the store) and at most {@code maxLineChars} characters per line and per progress
 * message (longer ones are cut and end with {@code "…"}). Set with {@code Worker.Builder
 * #progressLimits}. Immutable.
 *
 * @param maxLines log lines kept per job, 1 to {@value #MAX_LINES}; default {@value #DEFAULT_MAX_LINES}
 * @param maxLineChars characters per line or message, 16 to {@value #MAX_LINE_CHARS}; default
 *     {@value #DEFAULT_MAX_LINE_CHARS}
 */
public record ProgressLimits(int maxLines, int maxLineChars) {
  /** The default of {@link #maxLines()}. */
  public static final int DEFAULT_MAX_LINES = 100;
  /** The default of {@link #maxLineChars()}. */
  public static final int DEFAULT_MAX_LINE_CHARS = 2_000;
  /** The largest {@link #maxLines()}. */
  public static final int MAX_LINES = 10_000;
  /** The largest {@link #maxLineChars()}. */
  public static final int MAX_LINE_CHARS = 100_000;

  private static final ProgressLimits DEFAULTS = new ProgressLimits(DEFAULT_MAX_LINES, DEFAULT_MAX_LINE_CHARS);

  /**
   * Checks the limits.
   *
   * @throws IllegalArgumentException if either is out of its range
   */
  public ProgressLimits {
    if (maxLines < 1 || maxLines > MAX_LINES) {
      throw new IllegalArgumentException("maxLines must be from 1 to " + MAX_LINES + ", got " + maxLines);
    }
    if (maxLineChars < 16 || maxLineChars > MAX_LINE_CHARS) {
      throw new IllegalArgumentException("maxLineChars must be from 16 to " + MAX_LINE_CHARS + ", got "
          + maxLineChars);
    }
  }

  /** 100 lines of at most 2,000 characters. */
  public static ProgressLimits defaults() {
    return DEFAULTS;
  }

  /** {@code text} cut to {@link #maxLineChars()}, ending with {@code "…"} if it was cut. */
  public String clip(String text) {
    if (text.length() <= maxLineChars) {
      return text;
    }
    int end = maxLineChars - 1;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--; // never split a surrogate pair
    }
    return text.substring(0, end) + "…";
  }
}
