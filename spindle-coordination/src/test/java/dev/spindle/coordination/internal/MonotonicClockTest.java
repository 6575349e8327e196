package dev.spindle.coordination.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.spi.MonotonicClock;
import dev.spindle.testkit.store.SteppedClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The wall clock steps back or forward by an hour (an NTP correction, a VM restored from a
 * snapshot): {@link MonotonicClock}, and the in-memory backend on it, go on at the monotonic
 * clock's pace. Both clocks are injected and moved by hand.
 */
class MonotonicClockTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration HOUR = Duration.ofHours(1);
  private static final Duration LEASE = Duration.ofSeconds(10);

  private final SteppedClock wall = SteppedClock.at(T0);
  private final AtomicLong nanos = new AtomicLong(42);

  @Test
  void startsAtTheWallClockAndMovesOnlyWithTheMonotonicClock() {
    MonotonicClock clock = new MonotonicClock(wall, nanos::get);
    assertThat(clock.instant()).isEqualTo(T0);
    wall.step(HOUR);
    assertThat(clock.instant()).as("the wall clock stepped forward").isEqualTo(T0);
    wall.step(HOUR.multipliedBy(-2));
    assertThat(clock.instant()).as("the wall clock stepped back").isEqualTo(T0);
    nanos.addAndGet(1_500_000_000L);
    assertThat(clock.instant()).isEqualTo(T0.plusMillis(1500));
    assertThat(clock.withZone(ZoneId.of("Europe/Paris")).instant()).as("in another zone").isEqualTo(T0.plusMillis(1500));
  }

  @Test
  void aWallClockSteppedForwardLetsNoOtherHolderTakeALeaseBeforeItRunsOut() {
    MemoryBackend backend = new MemoryBackend(new MonotonicClock(wall, nanos::get));
    assertThat(backend.tryAcquire("x", 1, "h1", LEASE).granted()).isTrue();
    wall.step(HOUR);
    nanos.addAndGet(LEASE.toNanos() - 1);
    assertThat(backend.tryAcquire("x", 1, "h2", LEASE).granted()).as("h1 still holds it").isFalse();
    nanos.addAndGet(1);
    assertThat(backend.tryAcquire("x", 1, "h2", LEASE).granted()).as("h1's lease ran out").isTrue();
  }

  @Test
  void aWallClockSteppedBackDoesNotKeepALeaseAfterItRunsOut() {
    MemoryBackend backend = new MemoryBackend(new MonotonicClock(wall, nanos::get));
    assertThat(backend.tryAcquire("x", 1, "h1", LEASE).granted()).isTrue();
    wall.step(HOUR.negated());
    nanos.addAndGet(LEASE.toNanos());
    assertThat(backend.tryAcquire("x", 1, "h2", LEASE).granted()).isTrue();
  }

  @Test
  void theBackendIsOnAMonotonicClockUnlessGivenOne() {
    assertThat(new MemoryBackend().guarantees()).contains("leases on the monotonic clock");
    assertThat(new MemoryBackend(wall).guarantees()).contains("leases on the injected clock");
  }
}
