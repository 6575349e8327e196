package dev.spindle.testkit.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A wall clock a test steps back or forward, as an NTP correction or a VM restored from a snapshot
 * steps a host's: either the system clock plus the steps ({@link #ofSystem()}), or an instant that
 * moves only by the steps ({@link #at(Instant)}). Unlike {@link ManualClock} it goes back too.
 * Always UTC. Thread-safe.
 */
public final class SteppedClock extends Clock {
  private final Supplier<Instant> base;
  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

  private SteppedClock(Supplier<Instant> base) {
    this.base = base;
  }

  /** The system clock, moved by the steps. */
  public static SteppedClock ofSystem() {
    return new SteppedClock(Instant::now);
  }

  /** A clock at {@code start} that moves only by the steps. */
  public static SteppedClock at(Instant start) {
    return new SteppedClock(() -> start);
  }

  /** Steps the clock by {@code d} (negative: back). */
  public void step(Duration d) {
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

  /** Unsupported: this clock is UTC only. */
  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a SteppedClock is UTC only");
  }
}
