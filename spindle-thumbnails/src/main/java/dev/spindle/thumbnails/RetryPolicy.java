package dev.spindle.thumbnails;

import dev.spindle.retry.Retry;
import dev.spindle.retry.Wait;
import dev.spindle.spi.Jitter;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How transient download failures (timeouts, resets, refused connections, HTTP 408/425/429/5xx)
 * are retried: up to {@code maxAttempts} attempts in all, waiting {@code initialBackoff} ×
 * {@code multiplier}^(attempt−1) between them, capped at {@code maxBackoff}, each wait spread at
 * random by ± {@code jitter} (uniform in [d(1-jitter), d(1+jitter)], then capped at
 * {@code maxBackoff}: the one meaning of jitter in Spindle, {@link Jitter}) so that many clients do
 * not retry in step. A
 * {@code Retry-After} header of a 429 or 503 answer is honoured up to {@code maxBackoff}.
 * Immutable.
 *
 * <p>These are the settings, kept as JSON with a download job; the retrying is done by the general
 * {@link Retry} with the wait {@link #backoffWait()}.
 *
 * @param maxAttempts attempts in all, 1..20 (1 = no retry); default 3
 * @param initialBackoff wait before the second attempt; default 250 ms
 * @param maxBackoff the longest wait; default 5 s
 * @param multiplier growth per attempt, 1..10; default 2
 * @param jitter in [0, 1), the fraction a wait is spread by at random; default 0.2
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier, double jitter) {
  private static final RetryPolicy DEFAULTS = new RetryPolicy(3, Duration.ofMillis(250), Duration.ofSeconds(5), 2.0, 0.2);

  public RetryPolicy {
    if (maxAttempts < 1 || maxAttempts > 20) {
      throw new IllegalArgumentException("maxAttempts must be 1..20: " + maxAttempts);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff: " + initialBackoff + ", " + maxBackoff);
    }
    if (!(multiplier >= 1.0 && multiplier <= 10.0)) {
      throw new IllegalArgumentException("multiplier must be 1..10: " + multiplier);
    }
    Jitter.check(jitter);
  }

  /** 3 attempts, 250 ms doubling up to 5 s, 20% jitter. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** A single attempt. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, 0.0);
  }

  /**
   * The backoff as a {@link Wait}: {@code initialBackoff × multiplier^(n−1)} after attempt n,
   * capped at {@code maxBackoff}, spread by the jitter, capped again.
   */
  public Wait backoffWait() {
    return Wait.exponential(initialBackoff, multiplier, maxBackoff).withJitter(jitter).atMost(maxBackoff);
  }

  /**
   * The wait before attempt {@code attempt + 1}, given a random number in [0,1) and an optional
   * server-requested delay (which wins, up to {@code maxBackoff}).
   */
  public Duration backoff(int attempt, double random, @Nullable Duration retryAfter) {
    if (retryAfter != null && !retryAfter.isNegative()) {
      return retryAfter.compareTo(maxBackoff) > 0 ? maxBackoff : retryAfter;
    }
    return backoffWait().next(new dev.spindle.retry.Attempt(Math.max(1, attempt), Duration.ZERO, null, null),
        () -> random);
  }
}
