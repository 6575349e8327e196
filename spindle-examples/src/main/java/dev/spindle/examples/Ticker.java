package dev.spindle.examples;

/**
 * A monotonic nanosecond time source for measuring elapsed time (Python's
 * {@code time.perf_counter}). Injected so tests can drive time by hand; production code uses
 * {@link #system()}. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Ticker {
  /** Nanoseconds from an arbitrary fixed origin; only differences are meaningful. */
  long nanoTime();

  /** {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }

  /** Seconds elapsed since {@code startNanos}, a value this ticker returned earlier. */
  default double secondsSince(long startNanos) {
    return (nanoTime() - startNanos) / 1e9;
  }
}
