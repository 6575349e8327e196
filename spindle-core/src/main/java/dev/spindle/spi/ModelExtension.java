package dev.spindle.spi;

import dev.spindle.ExecutionModel;

/**
 * An executor extension ({@link dev.spindle.ExecutorConfig.Builder#with(Object)}) that configures
 * one execution model only, such as the process model's {@code ProcessOptions} or the distributed
 * model's {@code DistributedOptions}. The builder refuses it for any other model with an
 * {@link IllegalArgumentException}, so settings are never silently ignored. Implementations are
 * immutable.
 */
public interface ModelExtension {
  /** The model this extension configures. */
  ExecutionModel model();
}
