package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.RetentionLimits;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules tables say what their documentation says and agree with {@link JobState}'s table. */
class JobRulesTest {
  @Test
  void everyTerminalStateIsKeptOneWayAndNoOtherStateIsKept() {
    Set<JobState> seen = EnumSet.noneOf(JobState.class);
    for (JobRules.Kept k : JobRules.Kept.values()) {
      for (JobState s : k.states()) {
        assertThat(seen.add(s)).as("%s is kept one way only", s).isTrue();
        assertThat(JobRules.keptAs(s)).isEqualTo(k);
      }
    }
    assertThat(seen).isEqualTo(JobState.terminalStates());
    for (JobState s : JobState.values()) {
      if (!s.isTerminal()) {
        assertThatThrownBy(() -> JobRules.keptAs(s)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(s.name());
        assertThat(JobRules.isSuccessLike(s) || JobRules.isFailureLike(s)).isFalse();
      }
    }
  }

  @Test
  void successesAndCancellationsAreKeptAsSucceededFailuresAndDeadAsFailed() {
    assertThat(JobRules.Kept.AS_SUCCEEDED.states()).containsExactly(JobState.SUCCEEDED, JobState.CANCELLED);
    assertThat(JobRules.Kept.AS_FAILED.states()).containsExactly(JobState.FAILED, JobState.DEAD);
    RetentionLimits limits = new RetentionLimits(7, 9, 1);
    assertThat(JobRules.Kept.AS_SUCCEEDED.limit(limits)).isEqualTo(7);
    assertThat(JobRules.Kept.AS_FAILED.limit(limits)).isEqualTo(9);
    JobPolicy p = new JobPolicy(null, RetryPolicy.defaults(), 3, Duration.ofMinutes(1), Duration.ofMinutes(2));
    for (JobState end : JobState.terminalStates()) {
      assertThat(p.ttlFor(end)).as("TTL of %s", end).isEqualTo(JobRules.keptAs(end).ttl(p))
          .isEqualTo(JobRules.isSuccessLike(end) ? Duration.ofMinutes(1) : Duration.ofMinutes(2));
    }
  }

  @Test
  void eachOutcomeMovesARunningJobWhereTheTableSays() {
    for (Completion.Outcome o : Completion.Outcome.values()) {
      for (JobRules.Circumstance c : JobRules.Circumstance.values()) {
        assertThat(JobState.RUNNING.canMoveTo(JobRules.stateAfter(o, c))).as("%s in %s", o, c).isTrue();
      }
    }
    assertThat(JobRules.stateAfter(Completion.Outcome.SUCCEEDED, true, true)).isEqualTo(JobState.SUCCEEDED);
    assertThat(JobRules.stateAfter(Completion.Outcome.RETRY, false, true)).isEqualTo(JobState.QUEUED);
    assertThat(JobRules.stateAfter(Completion.Outcome.RETRY, true, false)).isEqualTo(JobState.SCHEDULED);
    assertThat(JobRules.stateAfter(Completion.Outcome.FAILED, true, true)).isEqualTo(JobState.FAILED);
    assertThat(JobRules.stateAfter(Completion.Outcome.DEAD, false, false)).isEqualTo(JobState.DEAD);
    assertThat(JobRules.stateAfter(Completion.Outcome.CANCELLED, false, false)).isEqualTo(JobState.CANCELLED);
    assertThat(JobRules.stateAfter(Completion.Outcome.RELEASED, true, false)).isEqualTo(JobState.QUEUED);
    assertThat(JobRules.stateAfter(Completion.Outcome.RELEASED, false, true)).isEqualTo(JobState.CANCELLED);
    assertThat(EnumSet.allOf(Completion.Outcome.class)).filteredOn(JobRules::countsFailure)
        .containsExactly(Completion.Outcome.RETRY, Completion.Outcome.FAILED);
  }

  @Test
  void eachEndHasItsOwnCounterAndOtherMovesNone() {
    assertThat(JobRules.endCounterOf(JobState.SUCCEEDED)).isEqualTo(MinuteStats.SUCCEEDED);
    assertThat(JobRules.endCounterOf(JobState.FAILED)).isEqualTo(MinuteStats.FAILED);
    assertThat(JobRules.endCounterOf(JobState.DEAD)).isEqualTo(MinuteStats.DEAD);
    assertThat(JobRules.endCounterOf(JobState.CANCELLED)).isEqualTo(MinuteStats.CANCELLED);
    for (JobState s : JobState.values()) {
      assertThat(JobRules.endCounter(s).isPresent()).as("%s", s).isEqualTo(s.isTerminal());
    }
    assertThatThrownBy(() -> JobRules.endCounterOf(JobState.RUNNING)).isInstanceOf(IllegalArgumentException.class);
  }
}
