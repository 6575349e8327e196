package dev.spindle;

import dev.spindle.spi.ExecutorProvider;
import java.util.ServiceLoader;

/**
 * The entry point.
 *
 * <pre>{@code
 * try (TaskExecutor pool = Spindle.executor(ExecutionModel.THREADS).workers(2).start()) {
 *   boolean prime = pool.submit(IS_PRIME, 5_000_111_000_222_021L).result();
 * }
 * }</pre>
 *
 * <p>Executors for each model come from {@link ExecutorProvider}s found with
 * {@link ServiceLoader}: the in-JVM models are built in; {@code PROCESSES} needs
 * {@code spindle-process} and {@code DISTRIBUTED} needs {@code spindle-queue} on the classpath.
 */
public final class Spindle {
  private Spindle() {}

  /** A configuration builder for the model; finish with {@code start()} or {@code build()}. */
  public static ExecutorConfig.Builder executor(ExecutionModel model) {
    return ExecutorConfig.builder(model);
  }

  /**
   * Starts an executor for the configuration.
   *
   * @throws IllegalStateException if no provider supports the model
   */
  public static TaskExecutor start(ExecutorConfig config) {
    for (ExecutorProvider p : ServiceLoader.load(ExecutorProvider.class, Spindle.class.getClassLoader())) {
      if (p.supports(config.model())) {
        return p.create(config);
      }
    }
    throw new IllegalStateException("no executor provider for " + config.model() + " on the classpath; add "
        + switch (config.model()) {
          case PROCESSES -> "dev.spindle:spindle-process";
          case DISTRIBUTED -> "dev.spindle:spindle-queue";
          default -> "dev.spindle:spindle-core (its META-INF/services entry is missing)";
        });
  }
}
