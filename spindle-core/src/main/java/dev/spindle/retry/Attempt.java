package dev.spindle.retry;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one attempt of a retried call, as waits, callbacks and
 * {@link RetryExhaustedException} see it. Immutable.
 *
 * @param number the attempt, 1-based
 * @param elapsed from the start of the first attempt to the end of this one, on the retry's clock
 * @param result what the attempt returned ({@code null} if it failed, or returned null)
 * @param failure what the attempt threw, or {@code null} if it returned
 */
public record Attempt(int number, Duration elapsed, @Nullable Object result, @Nullable Throwable failure) {
  /**
   * @throws IllegalArgumentException if {@code number < 1} or {@code elapsed} is negative
   */
  public Attempt {
    if (number < 1) {
      throw new IllegalArgumentException("attempt number must be >= 1: " + number);
    }
    if (Objects.requireNonNull(elapsed, "elapsed").isNegative()) {
      throw new IllegalArgumentException("elapsed must not be negative: " + elapsed);
    }
  }

  /** True if the attempt threw. */
  public boolean failed() {
    return failure != null;
  }

  /** A short description without the result's value (it may hold secrets). */
  String describe() {
    Throwable f = failure;
    return f != null ? "failed with " + f.getClass().getName() : "returned a result that is retried";
  }
}
