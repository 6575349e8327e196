package dev.spindle.queue.spi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One reading of a store's clock, and the translation of a caller's instants into it.
 *
 * <p>A store decides leases, due times and expiry on <em>its own</em> clock, never on the clock of
 * the worker or producer that calls it: a caller's clock may be off (a host without time sync, a
 * process under {@code libfaketime}). The SPI still carries the caller's instants ({@code now},
 * {@link NewJob#runAt()}, {@link WorkerRecord#leaseUntil()}, a retry's run time), because what they
 * mean is a <em>duration from the caller's now</em>, which no clock offset changes. A store reads
 * its clock once per call ({@link #read}) and moves each caller instant by the offset
 * {@code storeNow - callerNow} ({@link #translate}): a lease of 10 s asked by a worker whose clock
 * is an hour fast still ends 10 s after the heartbeat on the store's clock.
 *
 * <p>Immutable; thread-safe. Arithmetic saturates at {@link Instant#MIN}/{@link Instant#MAX}.
 *
 * @param now the store's clock at this call
 * @param offset the store's clock minus the caller's ({@link Duration#ZERO} when they agree);
 *     positive when the caller's clock is behind (slow)
 */
public record StoreClock(Instant now, Duration offset) {
  public StoreClock {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(offset, "offset");
  }

  /** Reads {@code storeClock} once and measures the caller's offset from {@code callerNow}. */
  public static StoreClock read(Clock storeClock, Instant callerNow) {
    return at(storeClock.instant(), callerNow);
  }

  /** The store's time {@code storeNow} as seen by a caller whose clock said {@code callerNow}. */
  public static StoreClock at(Instant storeNow, Instant callerNow) {
    Objects.requireNonNull(callerNow, "callerNow");
    Duration d;
    try {
      d = Duration.between(callerNow, storeNow);
    } catch (ArithmeticException e) {
      d = storeNow.isAfter(callerNow) ? Duration.ofSeconds(Long.MAX_VALUE) : Duration.ofSeconds(Long.MIN_VALUE);
    }
    return new StoreClock(storeNow, d);
  }

  /** A caller's instant on the store's clock: {@code callerInstant + offset}, saturating. */
  public Instant translate(Instant callerInstant) {
    try {
      return callerInstant.plus(offset);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return offset.isNegative() ? Instant.MIN : Instant.MAX;
    }
  }

  /**
   * How far the caller's clock is ahead of the store's ({@code -offset}): positive for a fast
   * caller, negative for a slow one. This is what {@link WorkerRecord#clockSkew()} records.
   */
  public Duration callerSkew() {
    return offset.negated();
  }
}
