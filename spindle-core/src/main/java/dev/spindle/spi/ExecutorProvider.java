package dev.spindle.spi;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorConfig;
import dev.spindle.TaskExecutor;

/**
 * Creates executors for one or more {@link ExecutionModel}s. Implementations are listed in
 * {@code META-INF/services/dev.spindle.spi.ExecutorProvider} and need a public no-arg constructor.
 */
public interface ExecutorProvider {
  /** True if this provider creates executors for the model. */
  boolean supports(ExecutionModel model);

  /**
   * Creates and starts an executor.
   *
   * @throws IllegalArgumentException if the configuration does not suit this backend (for example
   *     a registry that is not portable, for models running in other JVMs)
   */
  TaskExecutor create(ExecutorConfig config);
}
