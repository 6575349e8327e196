package dev.spindle.spring.boot;

import dev.spindle.queue.spi.JobStore;
import dev.spindle.spring.SpindleWorker;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The health contributor {@code spindle} ({@link SpindleHealthIndicator}), only when Spring Boot's
 * health support (Actuator) is on the class path: Spindle itself never requires Actuator (the
 * conditions naming Actuator's classes sit on a nested class, read only once the class is known
 * to be there). Switched off by {@code management.health.spindle.enabled=false}.
 */
@AutoConfiguration(after = SpindleAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(JobStore.class)
public class SpindleHealthAutoConfiguration {
  /** For Spring. */
  public SpindleHealthAutoConfiguration() {}

  /** The indicator's configuration. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnEnabledHealthIndicator("spindle")
  static class Indicator {
    /**
     * The indicator, registered as {@code spindle}.
     *
     * @param store the store
     * @param worker the worker, if the application runs one
     * @param properties the settings
     * @return the indicator
     */
    @Bean(name = "spindleHealthIndicator")
    @ConditionalOnMissingBean(name = "spindleHealthIndicator")
    SpindleHealthIndicator spindleHealthIndicator(JobStore store, ObjectProvider<SpindleWorker> worker,
        SpindleProperties properties) {
      return new SpindleHealthIndicator(store, worker.getIfAvailable(), properties.getHealth().getTimeout());
    }
  }
}
