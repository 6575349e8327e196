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
    assertThat(r.poolSize()).isEqualTo(CpuScaling.defaultPoolSize(model, 2));
    assertThat(r.startupSeconds()).isPositive();
    assertThat(r.startupLine()).contains("started and warmed in");
  }

  @org.junit.jupiter.api.Test
  void processPoolStartsOneJvmPerCoreAndKeepsItsStartUpOutOfTheTiming() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertThat(CpuScaling.defaultPoolSize(ExecutionModel.PROCESSES, 8)).isEqualTo(Math.min(8, cores));
    assertThat(CpuScaling.defaultPoolSize(ExecutionModel.THREADS, 8)).isEqualTo(8);
    CpuScaling.Report r = CpuScaling.run(ExecutionModel.PROCESSES, 2, 1, 1_000, Ticker.system());
    assertThat(r.poolSize()).isEqualTo(1);
    assertThat(r.startupLine()).startsWith("1 child JVM started");
    // a JVM launch takes far longer than two sums of 1,000 numbers in a warm JVM
    assertThat(r.startupSeconds()).isGreaterThan(r.wallSeconds());
  }
}
