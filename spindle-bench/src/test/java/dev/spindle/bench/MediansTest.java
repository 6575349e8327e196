package dev.spindle.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MediansTest {
  @Test
  void theMedianOfOddAndEvenCounts() {
    assertThat(Medians.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(Medians.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
  }

  /** The ranks of the published tables of the sign test's interval (e.g. Conover, table A3). */
  @Test
  void theIntervalsRanksAreTheSignTestsAtNinetyFivePercent() {
    assertThat(Medians.lowerRank(5)).as("too few for 95 %: the whole range").isEqualTo(1);
    assertThat(Medians.lowerRank(6)).isEqualTo(1);
    assertThat(Medians.lowerRank(9)).isEqualTo(2);
    assertThat(Medians.lowerRank(16)).isEqualTo(4);
    assertThat(Medians.lowerRank(20)).isEqualTo(6);
    assertThat(Medians.lowerRank(48)).isEqualTo(17);
  }

  @Test
  void theIntervalIsMadeOfOrderStatisticsAroundTheMedian() {
    List<Double> xs = new ArrayList<>();
    for (int i = 16; i >= 1; i--) {
      xs.add((double) i);
    }
    assertThat(Medians.interval(xs)).containsExactly(4.0, 13.0);
    assertThat(Medians.interval(List.of(2.0))).containsExactly(2.0, 2.0);
    assertThatThrownBy(() -> Medians.interval(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  /** Over many samples of a known distribution, the interval holds the true median at least 95 % of the time. */
  @Test
  void theIntervalCoversTheTrueMedianAtLeastAsOftenAsItSays() {
    Random random = new Random(42);
    int trials = 4000;
    int covered = 0;
    for (int t = 0; t < trials; t++) {
      List<Double> xs = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        xs.add(random.nextGaussian() * 0.08 + 0.97); // rounds like a drain's: 8 % spread around -3 %
      }
      double[] ci = Medians.interval(xs);
      if (ci[0] <= 0.97 && 0.97 <= ci[1]) {
        covered++;
      }
    }
    assertThat(covered / (double) trials).isGreaterThanOrEqualTo(0.95);
  }
}
