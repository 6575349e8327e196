package dev.spindle.process.supervise;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether and when a {@link Supervisor} restarts a child that exited. Implementations must
 * be thread-safe and fast (they run on the supervisor's thread).
 */
@FunctionalInterface
public interface RestartPolicy {
  /**
   * What happened to a child.
   *
   * @param status how it ended
   * @param uptime how long it ran
   * @param expected true if the exit was asked for ({@link Supervisor.Slot#retire()}); such exits
   *     are never counted as failures
   * @param consecutiveFailures unexpected exits in a row, this one included, of children that ran
   *     less than the supervisor's {@code stableAfter}; 0 for an expected exit
   */
  record Exit(ExitStatus status, Duration uptime, boolean expected, int consecutiveFailures) {}

  /**
   * @return the delay before starting a replacement, or empty to leave the slot stopped
   */
  Optional<Duration> restartDelay(Exit exit);

  /** Never restart. */
  static RestartPolicy never() {
    return e -> Optional.empty();
  }

  /** Restart at once, always (expected exits included). */
  static RestartPolicy immediately() {
    return e -> Optional.of(Duration.ZERO);
  }

  /**
   * Restart expected exits and the first failure at once; after that wait
   * {@code initial × 2^(failures-2)}, capped at {@code max}: a crash loop slows down instead of
   * spinning.
   *
   * @throws IllegalArgumentException if initial is not positive or max is below initial
   */
  static RestartPolicy backoff(Duration initial, Duration max) {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= max: " + initial + ", " + max);
    }
    return e -> {
      if (e.expected() || e.consecutiveFailures() <= 1) {
        return Optional.of(Duration.ZERO);
      }
      int shift = Math.min(30, e.consecutiveFailures() - 2);
      Duration d = initial.multipliedBy(1L << shift);
      return Optional.of(d.compareTo(max) > 0 ? max : d);
    };
  }
}
