package dev.spindle.process;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorConfig;
import dev.spindle.TaskExecutor;
import dev.spindle.process.internal.ProcessExecutor;
import dev.spindle.spi.ExecutorProvider;

/**
 * Provides the {@link ExecutionModel#PROCESSES} executor, a pool of supervised worker JVMs; found
 * by {@link dev.spindle.Spindle} through {@code META-INF/services}. Settings come from the
 * configuration's {@link ProcessOptions} extension (defaults if absent). Stateless, thread-safe.
 */
public final class ProcessExecutorProvider implements ExecutorProvider {
  /** Used by {@link java.util.ServiceLoader}. */
  public ProcessExecutorProvider() {}

  @Override
  public boolean supports(ExecutionModel model) {
    return model == ExecutionModel.PROCESSES;
  }

  /**
   * Starts the workers and waits until they are ready.
   *
   * @throws IllegalArgumentException if the registry is not portable (tasks added without a
   *     {@link dev.spindle.TaskCatalog}) or the initializer is not in it
   * @throws IllegalStateException if the workers cannot start; the message says why
   */
  @Override
  public TaskExecutor create(ExecutorConfig config) {
    if (config.model() != ExecutionModel.PROCESSES) {
      throw new IllegalArgumentException("ProcessExecutorProvider runs PROCESSES, not " + config.model());
    }
    return new ProcessExecutor(config);
  }
}
