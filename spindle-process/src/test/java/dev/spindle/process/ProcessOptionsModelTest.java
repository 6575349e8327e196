package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import org.junit.jupiter.api.Test;

/** ProcessOptions configure PROCESSES only: an in-JVM model refuses them instead of ignoring them. */
class ProcessOptionsModelTest {
  @Test
  void processOptionsOnThreadsAreRefused() {
    assertThatThrownBy(() -> Spindle.executor(ExecutionModel.THREADS)
        .with(ProcessOptions.builder().maxHeap("256m").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ProcessOptions configure the PROCESSES model, but this executor runs THREADS");
  }
}
