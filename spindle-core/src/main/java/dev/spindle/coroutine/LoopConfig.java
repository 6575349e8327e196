package dev.spindle.coroutine;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link EventLoop} is set up. Immutable; validated on construction.
 *
 * @param name names the loop and its coroutines' threads ({@code <name> Task-<n>}); default
 *     {@code "loop"}; not blank
 * @param defaultExecutorThreads platform threads of the loop's default executor (used by
 *     {@link Async#toThread}); created on first use; default {@code min(32, cores + 4)} as in
 *     Python; at least 1
 * @param closeTimeout how long {@link EventLoop#close()} waits for cancelled tasks to finish;
 *     default 10 s; positive
 */
public record LoopConfig(String name, int defaultExecutorThreads, Duration closeTimeout) {
  /**
   * Validates.
   *
   * @throws IllegalArgumentException if a value is out of range
   */
  public LoopConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    if (name.isBlank()) {
      throw new IllegalArgumentException("loop name must not be blank");
    }
    if (defaultExecutorThreads < 1) {
      throw new IllegalArgumentException("defaultExecutorThreads must be >= 1: " + defaultExecutorThreads);
    }
    if (closeTimeout.isNegative() || closeTimeout.isZero()) {
      throw new IllegalArgumentException("closeTimeout must be positive: " + closeTimeout);
    }
  }

  /** The defaults. */
  public static LoopConfig defaults() {
    return new LoopConfig("loop", Math.min(32, Runtime.getRuntime().availableProcessors() + 4), Duration.ofSeconds(10));
  }

  /** A copy with another name. */
  public LoopConfig withName(String newName) {
    return new LoopConfig(newName, defaultExecutorThreads, closeTimeout);
  }

  /** A copy with another default executor size. */
  public LoopConfig withDefaultExecutorThreads(int threads) {
    return new LoopConfig(name, threads, closeTimeout);
  }

  /** A copy with another close timeout. */
  public LoopConfig withCloseTimeout(Duration timeout) {
    return new LoopConfig(name, defaultExecutorThreads, timeout);
  }
}
