package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import org.junit.jupiter.api.Test;

/** DistributedOptions configure DISTRIBUTED only: another model refuses them instead of ignoring them. */
class DistributedOptionsModelTest {
  @Test
  void distributedOptionsOnProcessesAreRefused() {
    assertThatThrownBy(() -> Spindle.executor(ExecutionModel.PROCESSES)
        .with(DistributedOptions.builder().storeLocation("sqlite:jobs.db").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DistributedOptions configure the DISTRIBUTED model, but this executor runs PROCESSES");
  }
}
