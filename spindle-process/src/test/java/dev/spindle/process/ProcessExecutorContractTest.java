package dev.spindle.process;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorConfig;
import dev.spindle.testkit.ExecutorContract;

/** The executor contract, run against a pool of two worker JVMs. */
class ProcessExecutorContractTest extends ExecutorContract {
  @Override
  protected ExecutionModel model() {
    return ExecutionModel.PROCESSES;
  }

  @Override
  protected boolean supportsExecutorService() {
    return false;
  }

  @Override
  protected ExecutorConfig.Builder configure(ExecutorConfig.Builder builder) {
    // C1 only: these tests need fast worker start-up, not peak speed.
    return builder.with(ProcessOptions.builder().maxHeap("128m").jvmOptions("-XX:TieredStopAtLevel=1").build());
  }
}
