package dev.spindle.spring.boot;

import dev.spindle.metrics.SpindleMetrics;
import dev.spindle.queue.JobObserver;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.spring.SpindleWorker;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Spindle's metrics (module {@code spindle-metrics}) bound to the application's Micrometer
 * {@link MeterRegistry}: job counters and timers of the queue and worker, and per-queue gauges of
 * the store ({@code spindle.queue.depth}, {@code spindle.workers.live}, ...). Active only when
 * {@code spindle-metrics} is on the class path and {@code spindle.metrics.enabled} is not false;
 * Actuator is not required: without a registry bean (for example without Actuator) the metrics go
 * to a registry of their own, read through {@link SpindleMetrics#scrape()}. Runs before
 * {@link SpindleAutoConfiguration} so the queue and the worker get the observer; the registry is
 * looked up lazily, so the order relative to Boot's own metrics auto-configuration does not matter.
 */
@AutoConfiguration(before = SpindleAutoConfiguration.class)
@ConditionalOnClass({SpindleMetrics.class, MeterRegistry.class})
@ConditionalOnBooleanProperty(name = {"spindle.enabled", "spindle.metrics.enabled"}, matchIfMissing = true)
public class SpindleMetricsAutoConfiguration {
  /** For Spring. */
  public SpindleMetricsAutoConfiguration() {}

  /**
   * The metrics, on the application's registry when it has exactly one (else on their own).
   *
   * @param registries the application's meter registries
   * @param store the store whose queues get gauges (read at most once per 10 s)
   * @param worker the worker whose executor figures are bound, if the application runs one
   * @return the metrics
   */
  @Bean
  @ConditionalOnMissingBean
  public SpindleMetrics spindleMetrics(ObjectProvider<MeterRegistry> registries, ObjectProvider<StoreAdmin> store,
      ObjectProvider<SpindleWorker> worker) {
    SpindleMetrics.Builder b = SpindleMetrics.builder();
    registries.ifUnique(b::registry);
    SpindleMetrics metrics = b.build();
    store.ifUnique(s -> metrics.bindStore(s));
    metrics.bindExecutor(() -> {
      SpindleWorker w = worker.getIfUnique();
      return w == null ? null : w.worker().flatMap(x -> x.executorStats()).orElse(null);
    });
    return metrics;
  }

  /**
   * The hook the queue and the worker report job events to.
   *
   * @param metrics the metrics
   * @return their observer
   */
  @Bean
  @ConditionalOnMissingBean
  public JobObserver spindleJobObserver(SpindleMetrics metrics) {
    return metrics.observer();
  }
}
