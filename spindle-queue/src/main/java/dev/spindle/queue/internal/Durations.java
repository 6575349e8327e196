package dev.spindle.queue.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Saturating time arithmetic: no duration or instant computation of the queue may throw on extreme
 * input (a job due in 400 years, a lease of {@code Long.MAX_VALUE} seconds). Results are clamped to
 * the representable range instead. Stateless.
 */
public final class Durations {
  /** The scheduling horizon, published as {@link dev.spindle.queue.JobOptions#MAX_AHEAD}: 36,525 days. */
  public static final Duration MAX_AHEAD = Duration.ofDays(36_525);

  private Durations() {}

  /** {@code d} in nanoseconds, clamped to {@code Long.MIN_VALUE..Long.MAX_VALUE}. */
  public static long toNanos(Duration d) {
    if (d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) {
      return Long.MAX_VALUE;
    }
    if (d.getSeconds() <= Long.MIN_VALUE / 1_000_000_000L) {
      return Long.MIN_VALUE;
    }
    return d.toNanos();
  }

  /** Nanoseconds from {@code from} to {@code to} (negative if {@code to} is earlier), clamped. */
  public static long nanosBetween(Instant from, Instant to) {
    return toNanos(Duration.between(from, to));
  }

  /** {@code t + d}, clamped to {@link Instant#MIN}..{@link Instant#MAX}. */
  public static Instant plus(Instant t, Duration d) {
    try {
      return t.plus(d);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return d.isNegative() ? Instant.MIN : Instant.MAX;
    }
  }
}
