package dev.spindle.examples.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ExecutionModel;
import dev.spindle.examples.Ticker;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CpuScalingTest {
  @ParameterizedTest
  @EnumSource(value = ExecutionModel.class, names = {"SEQUENTIAL", "THREADS", "VIRTUAL", "PROCESSES"})
  void everyWorkerSumsItsRandomNumbers(ExecutionModel model) {
    CpuScaling.Report r = CpuScaling.run(model, 2, 10_000, Ticker.system());
    assertThat(r.results()).hasSize(2).allSatisfy(sum -> assertThat(sum).isBetween(10_000L, 1_000_000L));
    assertThat(r.userSeconds()).isGreaterThanOrEqualTo(0);
    assertThat(r.systemSeconds()).isGreaterThanOrEqualTo(0);
    assertThat(r.wallSeconds()).isPositive();
    assertThat(r.timeLine()).matches("\\d+\\.\\d\\ds user \\d+\\.\\d\\ds system \\d+% cpu \\d+\\.\\d{3} total");
  }
}
