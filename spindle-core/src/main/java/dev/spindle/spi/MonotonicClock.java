package dev.spindle.spi;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A clock that starts at an instant (by default the wall clock's, read once when it is made) and
 * moves on from there with the monotonic {@link System#nanoTime()}: the time between two of its
 * instants is real time, whatever steps the wall clock takes meanwhile (an NTP correction, a VM
 * restored from a snapshot). For instants only ever compared inside this JVM: the in-memory
 * coordination backend's lease expiry (on the wall clock, a step forward expired every lease while
 * its holder's {@code Lease.isHeld()} still said true, and another thread took the lock), the
 * periodic worker's due times, the dashboard's sessions. Thread-safe.
 */
public final class MonotonicClock extends Clock {
  private final Instant start;
  private final long startNanos;
  private final LongSupplier nanos;
  private final ZoneId zone;

  /** Starts at the system's wall clock now, in UTC. */
  public MonotonicClock() {
    this(Clock.systemUTC(), System::nanoTime);
  }

  /**
   * Starts at {@code wall}'s time now, in UTC (tests step {@code wall} and move {@code nanos}).
   *
   * @param wall read once, here
   * @param nanos the monotonic clock, in nanoseconds
   */
  public MonotonicClock(Clock wall, LongSupplier nanos) {
    this(wall.instant(), nanos.getAsLong(), nanos, ZoneOffset.UTC);
  }

  private MonotonicClock(Instant start, long startNanos, LongSupplier nanos, ZoneId zone) {
    this.start = start;
    this.startNanos = startNanos;
    this.nanos = nanos;
    this.zone = zone;
  }

  @Override
  public Instant instant() {
    return start.plusNanos(nanos.getAsLong() - startNanos);
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** This clock (same instants) in {@code z}. */
  @Override
  public Clock withZone(ZoneId z) {
    return z.equals(zone) ? this : new MonotonicClock(start, startNanos, nanos, Objects.requireNonNull(z, "zone"));
  }
}
