package dev.spindle.cli.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.cli.CliRun;
import org.junit.jupiter.api.Test;

/** {@code ./spindle futurist}: statistics before and after, rejection, periodics with statistics. */
class FuturistCommandTest {
  @Test
  void statisticsBeforeAndAfter() {
    CliRun r = CliRun.of("futurist", "statistics");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("before: ExecutorStats[executed=0, failed=0, cancelled=0, rejected=0")
        .contains("results: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]")
        .contains("after: ExecutorStats[executed=10, failed=0, cancelled=0, rejected=0");
  }

  @Test
  void theThirdWaitingSubmissionIsRejected() {
    CliRun r = CliRun.of("futurist", "reject");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("submitted 1 (backlog now 1)").contains("submitted 2 (backlog now 2)")
        .contains("submission 3 rejected: executor 'futurist' has a backlog of 2 (reject_when_reached(2)); retry later")
        .contains("results: [0, 1, 2]").contains("rejected=1");
  }

  @Test
  void periodicsRunAndReportTheirStatistics() {
    CliRun r = CliRun.of("futurist", "periodics");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("every_tenth(runs=").contains("print_stats(runs=").contains("failures=0");
    assertThat(CliRun.of("futurist", "nope").code()).isEqualTo(2);
  }
}
