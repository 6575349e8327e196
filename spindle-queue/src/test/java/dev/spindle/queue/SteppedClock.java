package dev.spindle.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A wall clock a test steps back or forward: the system clock plus the steps ({@link #ofSystem()}),
 * or an instant that moves only by them ({@link #at(Instant)}). This module's tests cannot use
 * spindle-testkit's {@code SteppedClock} (the testkit depends on this module), so they have this
 * copy. UTC. Thread-safe.
 */
final class SteppedClock extends Clock {
  private final Supplier<Instant> base;
  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

  private SteppedClock(Supplier<Instant> base) {
    this.base = base;
  }

  static SteppedClock ofSystem() {
    return new SteppedClock(Instant::now);
  }

  static SteppedClock at(Instant start) {
    return new SteppedClock(() -> start);
  }

  /** Steps the clock by {@code d} (negative: back). */
  void step(Duration d) {
    offset.updateAndGet(o -> o.plus(d));
  }

  @Override
  public Instant instant() {
    return base.get().plus(offset.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
