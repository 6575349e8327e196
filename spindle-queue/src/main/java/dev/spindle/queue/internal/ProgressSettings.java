package dev.spindle.queue.internal;

import dev.spindle.queue.ProgressLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * A worker's settings for what its jobs report ({@link ProgressReports}). Immutable.
 *
 * @param limits lines kept per job and characters per line
 * @param flushInterval how long reports of running jobs may wait in the worker before they are
 *     written (positive); a job's last reports are written with its outcome
 */
public record ProgressSettings(ProgressLimits limits, Duration flushInterval) {
  /** The default {@link #flushInterval()}: 1 s. */
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);

  /** Checks the values. */
  public ProgressSettings {
    Objects.requireNonNull(limits, "limits");
    if (Objects.requireNonNull(flushInterval, "flushInterval").isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("progressFlushInterval must be positive: " + flushInterval);
    }
  }

  /** 100 lines of 2,000 characters, written every second. */
  public static ProgressSettings defaults() {
    return new ProgressSettings(ProgressLimits.defaults(), DEFAULT_FLUSH_INTERVAL);
  }
}
