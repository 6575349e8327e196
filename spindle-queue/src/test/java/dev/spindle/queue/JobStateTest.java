package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class JobStateTest {
  @Test
  void theTransitionTableIsTheDocumentedOne() {
    assertThat(JobState.SCHEDULED.allowedTargets()).containsExactlyInAnyOrder(JobState.QUEUED, JobState.CANCELLED);
    assertThat(JobState.QUEUED.allowedTargets()).containsExactlyInAnyOrder(JobState.RUNNING, JobState.CANCELLED);
    assertThat(JobState.RUNNING.allowedTargets()).containsExactlyInAnyOrder(JobState.SUCCEEDED, JobState.SCHEDULED,
        JobState.QUEUED, JobState.FAILED, JobState.DEAD, JobState.CANCELLED);
    assertThat(JobState.SUCCEEDED.allowedTargets()).isEmpty();
    for (JobState s : EnumSet.of(JobState.FAILED, JobState.DEAD)) {
      assertThat(s.allowedTargets()).containsExactly(JobState.QUEUED);
    }
    // a job cancelled because a dependency failed waits again when that dependency is retried
    assertThat(JobState.CANCELLED.allowedTargets()).containsExactlyInAnyOrder(JobState.QUEUED, JobState.WAITING);
    assertThat(JobState.WAITING.allowedTargets()).containsExactlyInAnyOrder(JobState.QUEUED, JobState.SCHEDULED,
        JobState.CANCELLED);
  }

  @Test
  void invalidMovesThrowNamingBothStates() {
    assertThatThrownBy(() -> JobState.checkTransition("7", JobState.SUCCEEDED, JobState.QUEUED))
        .isInstanceOf(IllegalJobTransitionException.class).hasMessageContaining("job 7")
        .hasMessageContaining("SUCCEEDED").hasMessageContaining("final");
    assertThatThrownBy(() -> JobState.checkTransition("7", JobState.QUEUED, JobState.SUCCEEDED))
        .isInstanceOf(IllegalJobTransitionException.class).hasMessageContaining("[RUNNING, CANCELLED]");
    JobState.checkTransition("7", JobState.RUNNING, JobState.SUCCEEDED);
  }

  @Test
  void requeueIsOnlyForFailedDeadAndCancelledJobs() {
    JobState.checkRequeue("1", JobState.FAILED);
    JobState.checkRequeue("1", JobState.DEAD);
    JobState.checkRequeue("1", JobState.CANCELLED);
    for (JobState s : EnumSet.of(JobState.WAITING, JobState.SCHEDULED, JobState.QUEUED, JobState.RUNNING,
        JobState.SUCCEEDED)) {
      assertThatThrownBy(() -> JobState.checkRequeue("1", s)).isInstanceOf(IllegalJobTransitionException.class)
          .hasMessageContaining("only FAILED, DEAD or CANCELLED");
    }
  }

  @Test
  void terminalAndWaitingStates() {
    assertThat(JobState.terminalStates()).containsExactlyInAnyOrder(JobState.SUCCEEDED, JobState.FAILED,
        JobState.DEAD, JobState.CANCELLED);
    assertThat(JobState.WAITING.isWaiting()).isTrue();
    assertThat(JobState.WAITING.isTerminal()).isFalse();
    assertThat(JobState.SCHEDULED.isWaiting()).isTrue();
    assertThat(JobState.QUEUED.isWaiting()).isTrue();
    assertThat(JobState.RUNNING.isWaiting()).isFalse();
    assertThat(JobState.RUNNING.isTerminal()).isFalse();
  }
}
