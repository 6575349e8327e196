package dev.spindle.retry;

import dev.spindle.spi.Jitter;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * How long a {@link Retry} waits after a failed attempt, before the next one. The factories and
 * combinators cover tenacity's waits: fixed, random, exponential with a cap, jitter, sums and chains;
 * a lambda can read the attempt (for example a server's {@code Retry-After} in its result). Waits
 * are immutable and thread-safe; durations are at most {@link #LONGEST} (about 292 years) and never
 * negative.
 */
@FunctionalInterface
public interface Wait {
  /** The longest wait a strategy can give: {@link Long#MAX_VALUE} nanoseconds. */
  Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

  /**
   * The wait after {@code attempt} failed (or returned a result that is retried).
   *
   * @param random uniform values in [0, 1); a strategy draws as many as it needs
   * @return a duration in [0, {@link #LONGEST}]
   */
  Duration next(Attempt attempt, DoubleSupplier random);

  /** No wait: the next attempt starts at once. */
  static Wait none() {
    return (a, r) -> Duration.ZERO;
  }

  /**
   * The same wait every time.
   *
   * @throws IllegalArgumentException if negative or longer than {@link #LONGEST}
   */
  static Wait fixed(Duration wait) {
    check(wait, "wait");
    return (a, r) -> wait;
  }

  /**
   * A wait uniform in [{@code min}, {@code max}).
   *
   * @throws IllegalArgumentException unless {@code 0 <= min <= max <= LONGEST}
   */
  static Wait random(Duration min, Duration max) {
    checkOrdered(min, max, "min", "max");
    double lo = min.toNanos();
    double span = max.toNanos() - lo;
    return (a, r) -> nanos(lo + span * r.getAsDouble());
  }

  /**
   * {@code initial × multiplier^(n−1)} after attempt {@code n}, capped at {@code max}.
   *
   * @param multiplier in [1, 100]; 1 is a fixed wait
   * @throws IllegalArgumentException unless {@code 0 <= initial <= max <= LONGEST} and the
   *     multiplier is in range
   */
  static Wait exponential(Duration initial, double multiplier, Duration max) {
    checkOrdered(initial, max, "initial", "max");
    if (!(multiplier >= 1.0 && multiplier <= 100)) {
      throw new IllegalArgumentException("multiplier must be in [1, 100]: " + multiplier);
    }
    double first = initial.toNanos();
    double cap = max.toNanos();
    return (a, r) -> nanos(Math.min(cap, first * Math.pow(multiplier, a.number() - 1)));
  }

  /**
   * {@code initial + increment × (n−1)} after attempt {@code n}, capped at {@code max}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= initial <= max <= LONGEST} and
   *     {@code increment} is not negative
   */
  static Wait incrementing(Duration initial, Duration increment, Duration max) {
    checkOrdered(initial, max, "initial", "max");
    check(increment, "increment");
    double first = initial.toNanos();
    double step = increment.toNanos();
    double cap = max.toNanos();
    return (a, r) -> nanos(Math.min(cap, first + step * (a.number() - 1)));
  }

  /**
   * The first strategy after attempt 1, the second after attempt 2, ..., the last one after every
   * later attempt (tenacity's {@code wait_chain}).
   *
   * @throws IllegalArgumentException if empty
   */
  static Wait chain(Wait... waits) {
    List<Wait> list = List.of(waits);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("chain needs at least one wait");
    }
    return (a, r) -> list.get(Math.min(a.number(), list.size()) - 1).next(a, r);
  }

  /** This wait plus {@code other}'s (tenacity's {@code wait_fixed(3) + wait_random(0, 2)}). */
  default Wait plus(Wait other) {
    Objects.requireNonNull(other, "other");
    return (a, r) -> nanos((double) next(a, r).toNanos() + other.next(a, r).toNanos());
  }

  /**
   * This wait {@code d} spread uniformly over [d(1−jitter), d(1+jitter)], the one meaning of jitter
   * in Spindle ({@link Jitter}); follow with {@link #atMost} to cap the result.
   *
   * @throws IllegalArgumentException unless {@code jitter} is in [0, 1)
   */
  default Wait withJitter(double jitter) {
    Jitter.check(jitter);
    if (jitter == 0) {
      return this;
    }
    return (a, r) -> nanos(Jitter.apply(next(a, r).toNanos(), jitter, r.getAsDouble(), Long.MAX_VALUE));
  }

  /**
   * This wait, but never longer than {@code max}.
   *
   * @throws IllegalArgumentException if {@code max} is negative or longer than {@link #LONGEST}
   */
  default Wait atMost(Duration max) {
    check(max, "max");
    return (a, r) -> {
      Duration d = next(a, r);
      return d.compareTo(max) > 0 ? max : d;
    };
  }

  private static Duration nanos(double n) {
    if (!(n > 0)) {
      return Duration.ZERO;
    }
    return n >= Long.MAX_VALUE ? LONGEST : Duration.ofNanos((long) n);
  }

  private static void check(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.compareTo(LONGEST) > 0) {
      throw new IllegalArgumentException(name + " must be in [0, " + LONGEST.toDays() + " days]: " + d);
    }
  }

  private static void checkOrdered(Duration lo, Duration hi, String loName, String hiName) {
    check(lo, loName);
    check(hi, hiName);
    if (hi.compareTo(lo) < 0) {
      throw new IllegalArgumentException("need " + loName + " <= " + hiName + ": " + lo + ", " + hi);
    }
  }
}
