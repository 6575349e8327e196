package dev.spindle.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The process pool's scheduling decisions, without worker JVMs. */
class DispatchPolicyTest {

  @Test
  void picksTheFirstIdleWorkerFromTheRoundRobinStart() {
    int[] loads = {0, 3, 0, 1};
    assertThat(DispatchPolicy.pick(4, 0, i -> loads[i])).isEqualTo(0);
    assertThat(DispatchPolicy.pick(4, 1, i -> loads[i])).isEqualTo(2);
    assertThat(DispatchPolicy.pick(4, 3, i -> loads[i])).isEqualTo(0);
  }

  @Test
  void picksTheLeastLoadedAndTheFirstOfEquals() {
    int[] loads = {4, 2, 3, 2};
    assertThat(DispatchPolicy.pick(4, 0, i -> loads[i])).isEqualTo(1);
    assertThat(DispatchPolicy.pick(4, 2, i -> loads[i])).isEqualTo(3);
  }

  @Test
  void skipsWorkersThatCannotTakeWorkAndSaysWhenNoneCan() {
    int[] loads = {-1, 5, -1};
    assertThat(DispatchPolicy.pick(3, 0, i -> loads[i])).isEqualTo(1);
    assertThat(DispatchPolicy.pick(3, 0, i -> -1)).isEqualTo(-1);
    assertThat(DispatchPolicy.pick(0, 0, i -> 0)).isEqualTo(-1);
  }

  @Test
  void aRoundRobinCounterPastIntMaxStillPicksAValidWorker() {
    int[] loads = {1, 0, 1};
    assertThat(DispatchPolicy.pick(3, Integer.MAX_VALUE, i -> loads[i])).isEqualTo(1);
    assertThat(DispatchPolicy.pick(3, Integer.MIN_VALUE, i -> loads[i])).isBetween(0, 2);
  }

  @Test
  void windowIsOneUntilTheRunTimeIsKnownThenFitsTheBudget() {
    assertThat(DispatchPolicy.window(DispatchPolicy.UNKNOWN, 64)).isEqualTo(1);
    assertThat(DispatchPolicy.window(10_000, 64)).isEqualTo(64); // 100 fit, capped
    assertThat(DispatchPolicy.window(100_000, 64)).isEqualTo(10);
    assertThat(DispatchPolicy.window(5_000_000, 64)).isEqualTo(1); // slow: never below one
    assertThat(DispatchPolicy.window(0, 8)).isEqualTo(8); // a zero estimate counts as 1 ns
  }

  @Test
  void theEstimateStartsAtTheFirstSampleThenMovesAQuarterOfTheWay() {
    double e = DispatchPolicy.estimate(DispatchPolicy.UNKNOWN, 400);
    assertThat(e).isEqualTo(400.0);
    e = DispatchPolicy.estimate(e, 800);
    assertThat(e).isEqualTo(500.0);
    e = DispatchPolicy.estimate(e, 0);
    assertThat(e).isEqualTo(375.0);
  }

  @Test
  void workIsReclaimedAfterTwoMillisecondsOrFourTimesTheEstimate() {
    assertThat(DispatchPolicy.reclaimIn(0, DispatchPolicy.UNKNOWN)).isEqualTo(2_000_000);
    assertThat(DispatchPolicy.reclaimIn(1_500_000, 100_000)).isEqualTo(500_000);
    assertThat(DispatchPolicy.reclaimIn(2_000_000, 100_000)).isZero();
    assertThat(DispatchPolicy.reclaimIn(3_000_000, 1_000_000)).isEqualTo(1_000_000);
    assertThat(DispatchPolicy.reclaimIn(4_000_000, 1_000_000)).isZero();
  }

  @Test
  void reclaimsWhileIdleWorkersOutnumberReclaimsUnderWay() {
    assertThat(DispatchPolicy.wantsReclaim(2, 1)).isTrue();
    assertThat(DispatchPolicy.wantsReclaim(1, 1)).isFalse();
    assertThat(DispatchPolicy.wantsReclaim(0, 0)).isFalse();
  }
}
