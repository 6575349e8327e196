package dev.spindle.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.spi.Jitter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class WaitTest {
  private static Attempt failed(int n) {
    return new Attempt(n, Duration.ZERO, null, new IOException("x"));
  }

  private static DoubleSupplier always(double r) {
    return () -> r;
  }

  private static DoubleSupplier sequence(Double... values) {
    ArrayDeque<Double> q = new ArrayDeque<>(List.of(values));
    return q::removeFirst;
  }

  private static long ms(Wait w, int attempt, double r) {
    return w.next(failed(attempt), always(r)).toMillis();
  }

  @Test
  void fixedAndNoneAreConstant() {
    assertThat(ms(Wait.fixed(Duration.ofMillis(30)), 1, 0.9)).isEqualTo(30);
    assertThat(ms(Wait.fixed(Duration.ofMillis(30)), 7, 0.1)).isEqualTo(30);
    assertThat(Wait.none().next(failed(3), always(0.5))).isZero();
  }

  @Test
  void randomIsUniformBetweenItsBounds() {
    Wait w = Wait.random(Duration.ofMillis(100), Duration.ofMillis(300));
    assertThat(ms(w, 1, 0.0)).isEqualTo(100);
    assertThat(ms(w, 1, 0.5)).isEqualTo(200);
    assertThat(ms(w, 1, 0.999)).isEqualTo(299);
  }

  @Test
  void exponentialGrowsByTheMultiplierUpToItsCapWithoutOverflow() {
    Wait w = Wait.exponential(Duration.ofMillis(100), 3, Duration.ofSeconds(2));
    assertThat(ms(w, 1, 0)).isEqualTo(100);
    assertThat(ms(w, 2, 0)).isEqualTo(300);
    assertThat(ms(w, 3, 0)).isEqualTo(900);
    assertThat(ms(w, 4, 0)).isEqualTo(2000);
    assertThat(ms(w, 100_000, 0)).isEqualTo(2000);
    Wait huge = Wait.exponential(Duration.ofSeconds(1), 100, Wait.LONGEST);
    assertThat(huge.next(failed(1000), always(0))).isEqualTo(Wait.LONGEST);
  }

  @Test
  void incrementingAddsAStepPerAttemptUpToItsCap() {
    Wait w = Wait.incrementing(Duration.ofMillis(100), Duration.ofMillis(50), Duration.ofMillis(220));
    assertThat(ms(w, 1, 0)).isEqualTo(100);
    assertThat(ms(w, 2, 0)).isEqualTo(150);
    assertThat(ms(w, 3, 0)).isEqualTo(200);
    assertThat(ms(w, 4, 0)).isEqualTo(220);
  }

  @Test
  void aChainUsesOneStrategyPerAttemptAndRepeatsItsLast() {
    Wait w = Wait.chain(Wait.fixed(Duration.ofMillis(1)), Wait.fixed(Duration.ofMillis(2)), Wait.fixed(Duration.ofMillis(5)));
    assertThat(ms(w, 1, 0)).isEqualTo(1);
    assertThat(ms(w, 2, 0)).isEqualTo(2);
    assertThat(ms(w, 3, 0)).isEqualTo(5);
    assertThat(ms(w, 9, 0)).isEqualTo(5);
    assertThatThrownBy(Wait::chain).hasMessageContaining("at least one");
  }

  @Test
  void plusAddsTwoWaitsEachDrawingItsOwnRandom() {
    Wait w = Wait.fixed(Duration.ofSeconds(3)).plus(Wait.random(Duration.ZERO, Duration.ofSeconds(2)));
    assertThat(w.next(failed(1), sequence(0.25))).isEqualTo(Duration.ofMillis(3500));
    Wait two = Wait.random(Duration.ZERO, Duration.ofSeconds(1)).plus(Wait.random(Duration.ZERO, Duration.ofSeconds(1)));
    assertThat(two.next(failed(1), sequence(0.1, 0.7))).isEqualTo(Duration.ofMillis(800));
  }

  @Test
  void jitterSpreadsAWaitAsSpindlesJitterDoesAndAtMostCapsIt() {
    Wait base = Wait.fixed(Duration.ofMillis(100));
    Wait w = base.withJitter(0.5).atMost(Duration.ofMillis(120));
    assertThat(ms(w, 1, 0.0)).isEqualTo(50);
    assertThat(ms(w, 1, 0.5)).isEqualTo(100);
    assertThat(ms(w, 1, 0.999)).as("capped").isEqualTo(120);
    for (double r : new double[] {0.0, 0.3, 0.77}) {
      long expected = (long) Jitter.apply(100_000_000, 0.2, r, Long.MAX_VALUE);
      assertThat(base.withJitter(0.2).next(failed(1), always(r)).toNanos()).isEqualTo(expected);
    }
    assertThat(base.withJitter(0)).isSameAs(base);
  }

  @Test
  void badSettingsSayWhatIsWrong() {
    assertThatThrownBy(() -> Wait.fixed(Duration.ofMillis(-1))).hasMessageContaining("wait must be in");
    assertThatThrownBy(() -> Wait.random(Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageContaining("min <= max");
    assertThatThrownBy(() -> Wait.exponential(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(2)))
        .hasMessageContaining("multiplier");
    assertThatThrownBy(() -> Wait.exponential(Duration.ofSeconds(3), 2, Duration.ofSeconds(2)))
        .hasMessageContaining("initial <= max");
    assertThatThrownBy(() -> Wait.fixed(Duration.ofSeconds(1)).withJitter(1.0)).hasMessageContaining("jitter");
    assertThatThrownBy(() -> Wait.fixed(Duration.ofDays(365L * 400))).hasMessageContaining("wait must be in");
    assertThatThrownBy(() -> new Attempt(0, Duration.ZERO, null, null)).hasMessageContaining(">= 1");
  }
}
