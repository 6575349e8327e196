package dev.spindle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.spi.ModelExtension;
import org.junit.jupiter.api.Test;

/** Extensions meant for one model are refused by a builder of another, never silently ignored. */
class ExecutorConfigTest {
  private record ProcessSettings(int heap) implements ModelExtension {
    @Override
    public ExecutionModel model() {
      return ExecutionModel.PROCESSES;
    }
  }

  @Test
  void anExtensionOfAnotherModelIsRefused() {
    assertThatThrownBy(() -> ExecutorConfig.builder(ExecutionModel.THREADS).with(new ProcessSettings(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ProcessSettings configure the PROCESSES model, but this executor runs THREADS; they would"
            + " be ignored: remove them or choose PROCESSES");
  }

  @Test
  void anExtensionOfItsOwnModelOrOfNoModelIsKept() {
    ExecutorConfig c = ExecutorConfig.builder(ExecutionModel.PROCESSES).with(new ProcessSettings(2))
        .with("plain extension").build();
    assertThat(c.extension(ProcessSettings.class)).contains(new ProcessSettings(2));
    assertThat(c.extension(String.class)).contains("plain extension");
    assertThat(c.toBuilder().build().extension(ProcessSettings.class)).contains(new ProcessSettings(2));
  }
}
