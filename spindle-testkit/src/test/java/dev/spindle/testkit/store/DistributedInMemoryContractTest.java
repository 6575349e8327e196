package dev.spindle.testkit.store;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorConfig;
import dev.spindle.queue.DistributedOptions;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.testkit.ExecutorContract;

/** The executor contract on the DISTRIBUTED model over the in-memory store. */
class DistributedInMemoryContractTest extends ExecutorContract {
  @Override
  protected ExecutionModel model() {
    return ExecutionModel.DISTRIBUTED;
  }

  @Override
  protected ExecutorConfig.Builder configure(ExecutorConfig.Builder builder) {
    return builder.with(DistributedOptions.builder().store(new InMemoryJobStore("distributed-contract")).build());
  }

  @Override
  protected boolean supportsExecutorService() {
    return false;
  }
}
