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

  /**
   * Ten rounds of {@code jobs} jobs that end {@code job} ns after their claim, with store calls of
   * {@code call} ns, a round every {@code period} ns from 0; returns the time of the next round.
   */
  private static long warm(OutcomeGathering g, int jobs, long job, long call, long period) {
    long t = 0;
    for (int i = 0; i < 10; i++, t += period) {
      g.called(call);
      Round r = new Round(jobs);
      g.started(r.view, t);
      r.endAll(t + job);
    }
    return t;
  }

  /** A round of {@code jobs} jobs, all running, claimed at {@code t}. */
  private static Round start(OutcomeGathering g, long t, int jobs) {
    Round r = new Round(jobs);
    g.started(r.view, t);
    return r;
  }

  /** Rounds of 16 jobs that end 20 us after their claim, with store calls of 300 us. */
  private static long warmShortJobs(OutcomeGathering g) {
    return warm(g, 16, 20 * US, 300 * US, 400 * US);
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
    long t = warmShortJobs(g);
    Round r = start(g, t, 16);
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
    long t = warmShortJobs(g);
    start(g, t, 16);
    assertThat(g.worthWaitingFor(t + 41 * US)).isZero();
  }

  @Test
  void theWaitIsAtMostHalfAStoreCall() {
    OutcomeGathering g = new OutcomeGathering();
    long t = warm(g, 4, 100 * US, 120 * US, 300 * US);
    start(g, t, 4);
    assertThat(g.worthWaitingFor(t + US)).isEqualTo(4);
    assertThat(g.deadline(t + US)).isEqualTo(t + US + 60 * US);
  }

  @Test
  void jobsLongerThanAStoreCallAreNotWaitedFor() {
    OutcomeGathering g = new OutcomeGathering();
    long t = warm(g, 16, 5_000 * US, 300 * US, 6_000 * US);
    start(g, t, 16);
    assertThat(g.worthWaitingFor(t + US)).isZero();
  }

  @Test
  void jobsStillRunningAtTheNextRoundPushTheUsualTimeUpUntilWaitingStops() {
    OutcomeGathering g = new OutcomeGathering();
    long t = warmShortJobs(g);
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
    // a very slow store: calls of 1 s, jobs of 200 ms
    long t = warm(g, 2, TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(2));
    g.started(new Round(2).view, t);
    assertThat(g.deadline(t)).isEqualTo(t + OutcomeGathering.MAX_WAIT);
  }
}
