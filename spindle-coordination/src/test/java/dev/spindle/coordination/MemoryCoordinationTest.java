package dev.spindle.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.coordination.internal.MemoryBackend;
import dev.spindle.testkit.store.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MemoryCoordinationTest extends CoordinationContract {
  /** Coordinators of one test share one store, as processes share SQLite or Redis. */
  private final MemoryBackend shared = new MemoryBackend(Clock.systemUTC());

  @Override
  Coordinator.Builder backend() {
    return Coordinator.builder().backend(shared);
  }

  @Test
  void leasesExpireOnTheStoresClockNotTheCallers() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (Coordinator c = Coordinator.builder().clock(clock).memory().build()) {
      var first = c.backend().tryAcquire("x", 1, "h1", Duration.ofSeconds(10));
      assertThat(c.backend().tryAcquire("x", 1, "h2", Duration.ofSeconds(10)).retryAfter())
          .isEqualTo(Duration.ofSeconds(10));
      clock.advance(Duration.ofMillis(9_999));
      assertThat(c.backend().tryAcquire("x", 1, "h2", Duration.ofSeconds(10)).granted()).isFalse();
      clock.advance(Duration.ofMillis(1));
      var second = c.backend().tryAcquire("x", 1, "h2", Duration.ofSeconds(10));
      assertThat(second.granted()).isTrue();
      assertThat(second.token()).isEqualTo(first.token() + 1);
    }
  }
}
