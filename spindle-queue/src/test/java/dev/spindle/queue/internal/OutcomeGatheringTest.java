package dev.spindle.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class OutcomeGatheringTest {
  private static final long US = TimeUnit.MICROSECONDS.toNanos(1);

  /** A round of jobs whose end times the test sets (0 while running). */
  private static final class Round {
    final long[] ends;
    final List<LongSupplier> view = new ArrayList<>();

    Round(int jobs) {
      ends = new long[jobs];
      for (int i = 0; i < jobs; i++) {
        int k = i;
        view.add(() -> ends[k]);
      }
    }

    void endAll(long at) {
      java.util.Arrays.fill(ends, at);
    }
  }

  /** Rounds of 16 jobs that end 20 us after their claim, with store calls of 300 us. */
  private static long warmShortJobs(OutcomeGathering g, long t) {
    for (int i = 0; i < 10; i++) {
      g.called(300 * US);
      Round r = new Round(16);
      g.started(r.view, t);
      r.endAll(t + 20 * US);
      t += 400 * US;
    }
    return t;
  }

  @Test
  void nothingIsWorthWaitingForBeforeTheTimesAreKnown() {
    OutcomeGathering g = new OutcomeGathering();
    Round r = new Round(16);
    g.started(r.view, 1_000 * US);
    assertThat(g.worthWaitingFor(1_001 * US)).isZero();
    assertThat(g.deadline(1_001 * US)).isEqualTo(1_001 * US);
  }

  @Test
  void shortJobsOfTheLastRoundAreWaitedForUntilTwiceTheirUsualTime() {
    OutcomeGathering g = new OutcomeGathering();
    long t = warmShortJobs(g, 0);
    g.called(300 * US);
    Round r = new Round(16);
    g.started(r.view, t);
    r.ends[0] = t + 20 * US;
    r.ends[1] = t + 20 * US;
    // 14 still run; the deadline is the claim plus twice their usual 20 us, inside half a store call
    assertThat(g.worthWaitingFor(t + 21 * US)).isEqualTo(14);
    assertThat(g.deadline(t + 21 * US)).isEqualTo(t + 40 * US);
    r.endAll(t + 30 * US);
    assertThat(g.worthWaitingFor(t + 31 * US)).isZero();
  }

  @Test
  void noWaitOnceTheDeadlineHasPassed() {
    OutcomeGathering g = new OutcomeGathering();
    long t = warmShortJobs(g, 0);
    g.called(300 * US);
    Round r = new Round(16);
    g.started(r.view, t);
    assertThat(g.worthWaitingFor(t + 41 * US)).isZero();
  }

  @Test
  void theWaitIsAtMostHalfAStoreCall() {
    OutcomeGathering g = new OutcomeGathering();
    long t = 0;
    for (int i = 0; i < 10; i++) { // jobs of 100 us, calls of 120 us
      g.called(120 * US);
      Round r = new Round(4);
      g.started(r.view, t);
      r.endAll(t + 100 * US);
      t += 300 * US;
    }
    Round r = new Round(4);
    g.started(r.view, t);
    assertThat(g.worthWaitingFor(t + US)).isEqualTo(4);
    assertThat(g.deadline(t + US)).isEqualTo(t + US + 60 * US);
  }

  @Test
  void jobsLongerThanAStoreCallAreNotWaitedFor() {
    OutcomeGathering g = new OutcomeGathering();
    long t = 0;
    for (int i = 0; i < 10; i++) { // jobs of 5 ms, calls of 300 us
      g.called(300 * US);
      Round r = new Round(16);
      g.started(r.view, t);
      r.endAll(t + 5_000 * US);
      t += 6_000 * US;
    }
    Round r = new Round(16);
    g.started(r.view, t);
    assertThat(g.worthWaitingFor(t + US)).isZero();
  }

  @Test
  void jobsStillRunningAtTheNextRoundPushTheUsualTimeUpUntilWaitingStops() {
    OutcomeGathering g = new OutcomeGathering();
    long t = warmShortJobs(g, 0);
    // from now on the jobs hang: each round's jobs are still running when the next round starts
    int rounds = 0;
    while (true) {
      g.called(300 * US);
      g.started(new Round(16).view, t);
      if (g.worthWaitingFor(t + US) == 0) {
        break;
      }
      t += 2_000 * US;
      rounds++;
      assertThat(rounds).as("rounds until waiting stops").isLessThan(5);
    }
    assertThat(g.deadline(t + US)).isEqualTo(t + US);
  }

  @Test
  void theWaitNeverExceedsTheCap() {
    OutcomeGathering g = new OutcomeGathering();
    long t = 0;
    for (int i = 0; i < 10; i++) { // a very slow store: calls of 1 s, jobs of 200 ms
      g.called(TimeUnit.SECONDS.toNanos(1));
      Round r = new Round(2);
      g.started(r.view, t);
      r.endAll(t + TimeUnit.MILLISECONDS.toNanos(200));
      t += TimeUnit.SECONDS.toNanos(2);
    }
    g.started(new Round(2).view, t);
    assertThat(g.deadline(t)).isEqualTo(t + OutcomeGathering.MAX_WAIT);
  }
}
