package dev.spindle.queue.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * A period of the worker's housekeeping (heartbeats, reclaiming, schedules, retention) that falls
 * due when either of two clocks says it has passed: the injected {@link java.time.Clock}, which
 * tests move at will, or the monotonic {@link System#nanoTime()}, which the wall clock's steps do
 * not move. A host clock stepped back by an hour therefore delays no heartbeat (on the wall clock
 * alone the lease would run out and the worker's running jobs be reclaimed), and a clock frozen by
 * a test still sees its periods come round as real time passes. Not thread-safe: owned by the
 * housekeeping thread.
 */
final class Cadence {
  private final Duration interval;
  private final long intervalNanos;
  private Instant lastAt;
  private long lastNanos;
  private boolean immediately;

  /**
   * A period of {@code interval}, next due after a whole interval from {@code now} and
   * {@code nanos}, or at once if {@code dueNow}.
   */
  Cadence(Duration interval, Instant now, long nanos, boolean dueNow) {
    this.interval = interval;
    this.intervalNanos = Durations.toNanos(interval);
    this.lastAt = now;
    this.lastNanos = nanos;
    this.immediately = dueNow;
  }

  /** Whether the period is due at {@code now} on the injected clock and {@code nanos} on the monotonic one. */
  boolean isDue(Instant now, long nanos) {
    return immediately || nanos - lastNanos >= intervalNanos || !now.isBefore(Durations.plus(lastAt, interval));
  }

  /** The period's work ran at {@code now} and {@code nanos}: next due a whole interval later. */
  void ran(Instant now, long nanos) {
    lastAt = now;
    lastNanos = nanos;
    immediately = false;
  }

  /** The period's work ran and left work over: due again at the next tick. */
  void ranWithMoreToDo(Instant now, long nanos) {
    ran(now, nanos);
    immediately = true;
  }
}
