package dev.spindle.thumbnails.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The span of one stage: from its first start to its last end, marked from any thread. With a
 * pipeline two stages' spans overlap. Thread-safe.
 */
final class StageClock {
  private final Clock clock;
  private @Nullable Instant first;
  private @Nullable Instant last;

  public StageClock(Clock clock) {
    this.clock = clock;
  }

  /** Marks a start; returns the instant. */
  public Instant start() {
    Instant now = clock.instant();
    synchronized (this) {
      if (first == null || now.isBefore(first)) {
        first = now;
      }
    }
    return now;
  }

  /** Marks an end. */
  public void end() {
    Instant now = clock.instant();
    synchronized (this) {
      if (last == null || now.isAfter(last)) {
        last = now;
      }
    }
  }

  /** First start to last end, or zero if the stage never ran. */
  public synchronized Duration span() {
    return first == null || last == null || last.isBefore(first) ? Duration.ZERO : Duration.between(first, last);
  }
}
