package dev.spindle.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CadenceTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final long SECOND = 1_000_000_000L;

  @Test
  void fallsDueWhenTheClockHasMovedAWholeInterval() {
    Cadence c = new Cadence(Duration.ofSeconds(5), T0, 0, false);
    assertThat(c.isDue(T0.plusSeconds(4), 0)).isFalse();
    assertThat(c.isDue(T0.plusSeconds(5), 0)).isTrue();
  }

  @Test
  void fallsDueWhenTheMonotonicClockHasMovedAWholeIntervalWhateverTheClockSays() {
    Cadence c = new Cadence(Duration.ofSeconds(5), T0, 100 * SECOND, false);
    Instant steppedBack = T0.minus(Duration.ofHours(1));
    assertThat(c.isDue(steppedBack, 104 * SECOND)).isFalse();
    assertThat(c.isDue(steppedBack, 105 * SECOND)).isTrue();
  }

  @Test
  void afterARunTheNextIsAWholeIntervalFromThatRunOnBothClocks() {
    Cadence c = new Cadence(Duration.ofSeconds(5), T0, 0, false);
    Instant steppedBack = T0.minus(Duration.ofHours(1));
    c.ran(steppedBack, 5 * SECOND);
    assertThat(c.isDue(steppedBack.plusSeconds(4), 9 * SECOND)).isFalse();
    assertThat(c.isDue(steppedBack.plusSeconds(5), 9 * SECOND)).as("by the clock").isTrue();
    assertThat(c.isDue(steppedBack.plusSeconds(4), 10 * SECOND)).as("by the monotonic clock").isTrue();
  }

  @Test
  void dueAtOnceWhenAskedAndAgainWhenARunLeftWorkOver() {
    Cadence c = new Cadence(Duration.ofMinutes(1), T0, 0, true);
    assertThat(c.isDue(T0, 0)).isTrue();
    c.ranWithMoreToDo(T0, 0);
    assertThat(c.isDue(T0, 0)).isTrue();
    c.ran(T0, 0);
    assertThat(c.isDue(T0, 0)).isFalse();
  }

  @Test
  void aHugeIntervalNeverOverflowsIntoBeingDue() {
    Cadence c = new Cadence(Duration.ofSeconds(Long.MAX_VALUE), T0, Long.MAX_VALUE - 10, false);
    assertThat(c.isDue(Instant.MAX, Long.MAX_VALUE)).as("Instant.MAX is not before the saturated due time").isTrue();
    assertThat(c.isDue(T0.plusSeconds(1_000_000), Long.MAX_VALUE)).isFalse();
  }
}
