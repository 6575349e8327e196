package dev.spindle.internal.local;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorConfig;
import dev.spindle.TaskExecutor;
import dev.spindle.spi.ExecutorProvider;

/**
 * Creates the in-JVM executors: SEQUENTIAL (one platform worker thread), THREADS (N platform
 * worker threads), VIRTUAL (N long-lived virtual worker threads, or one virtual thread per
 * execution when {@code workers = 0}), COROUTINE (one cooperative event loop). Registered in {@code META-INF/services}. Stateless and
 * thread-safe.
 */
public final class LocalExecutorProvider implements ExecutorProvider {
  /** Used by {@link java.util.ServiceLoader}. */
  public LocalExecutorProvider() {}

  @Override
  public boolean supports(ExecutionModel model) {
    return model == ExecutionModel.SEQUENTIAL || model == ExecutionModel.THREADS
        || model == ExecutionModel.VIRTUAL || model == ExecutionModel.COROUTINE;
  }

  @Override
  public TaskExecutor create(ExecutorConfig config) {
    return switch (config.model()) {
      case SEQUENTIAL, THREADS -> new PooledExecutor(config, false);
      case VIRTUAL -> config.workers() == 0 ? new ThreadPerTaskExecutor(config) : new PooledExecutor(config, true);
      case COROUTINE -> new CoroutineExecutor(config);
      default -> throw new IllegalArgumentException(config.model() + " is not an in-JVM model; "
          + "this provider runs SEQUENTIAL, THREADS, VIRTUAL and COROUTINE");
    };
  }
}
