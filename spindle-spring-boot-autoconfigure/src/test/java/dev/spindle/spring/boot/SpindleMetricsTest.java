package dev.spindle.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.metrics.SpindleMetrics;
import dev.spindle.queue.JobObserver;
import dev.spindle.spring.SpindleEnqueuer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spindle's metrics on the application's own Micrometer registry, in real application contexts on
 * a real SQLite file: jobs run by the auto-configured worker are counted there, the store's queues
 * get gauges, and the metrics switch off by property or without spindle-metrics.
 */
class SpindleMetricsTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SpindleAutoConfiguration.class,
            SpindleMetricsAutoConfiguration.class))
        .withUserConfiguration(TestTasks.class, AppRegistry.class)
        .withPropertyValues("spindle.store.location=sqlite:" + dir.resolve("jobs.db"),
            "spindle.worker.poll-interval=50ms", "spindle.worker.concurrency=2");
  }

  /** The application's registry (as Actuator would define it). */
  @Configuration(proxyBeanMethods = false)
  static class AppRegistry {
    @Bean
    MeterRegistry appRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  static double count(MeterRegistry r, String name) {
    return Search.in(r).name(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void jobsAndQueuesAreMeasuredOnTheApplicationsRegistry() {
    runner().run(ctx -> {
      assertThat(ctx).hasNotFailed().hasSingleBean(SpindleMetrics.class);
      MeterRegistry app = ctx.getBean(MeterRegistry.class);
      assertThat(ctx.getBean(SpindleMetrics.class).registry()).isSameAs(app);
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
      for (int i = 0; i < 3; i++) {
        assertThat(enqueuer.enqueue(TestTasks.UPPER, "m" + i).join().result(WAIT)).isEqualTo("M" + i);
      }
      // The outcome is counted once the worker has recorded it, which can follow the result by a
      // moment: wait for it rather than assume the order.
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(count(app, "spindle.jobs.enqueued")).isEqualTo(3);
        assertThat(count(app, "spindle.jobs.succeeded")).isEqualTo(3);
      });
      assertThat(app.find("spindle.store.queues").gauge()).isNotNull();
    });
  }

  @Test
  void switchedOffByPropertyOrWithoutTheMetricsModule() {
    runner().withPropertyValues("spindle.metrics.enabled=false").run(ctx -> {
      assertThat(ctx).hasNotFailed().doesNotHaveBean(SpindleMetrics.class).doesNotHaveBean(JobObserver.class);
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
      assertThat(enqueuer.enqueue(TestTasks.UPPER, "x").join().result(WAIT)).isEqualTo("X");
      assertThat(count(ctx.getBean(MeterRegistry.class), "spindle.jobs.enqueued")).isZero();
    });
    runner().withClassLoader(new FilteredClassLoader(SpindleMetrics.class)).run(ctx -> {
      assertThat(ctx).hasNotFailed().doesNotHaveBean(JobObserver.class);
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
      assertThat(enqueuer.enqueue(TestTasks.UPPER, "y").join().result(WAIT)).isEqualTo("Y");
    });
  }
}
