package dev.spindle.queue.internal;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorConfig;
import dev.spindle.TaskExecutor;
import dev.spindle.spi.ExecutorProvider;

/** Provides the DISTRIBUTED model (see {@link dev.spindle.queue.DistributedOptions}). */
public final class DistributedExecutorProvider implements ExecutorProvider {
  @Override
  public boolean supports(ExecutionModel model) {
    return model == ExecutionModel.DISTRIBUTED;
  }

  @Override
  public TaskExecutor create(ExecutorConfig config) {
    return new DistributedExecutor(config);
  }
}
