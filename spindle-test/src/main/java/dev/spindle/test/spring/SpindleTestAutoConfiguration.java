package dev.spindle.test.spring;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.spi.JsonCodec;
import dev.spindle.spring.SpindleWorker;
import dev.spindle.spring.boot.SpindleAutoConfiguration;
import dev.spindle.spring.boot.SpindleProperties;
import dev.spindle.test.SpindleTestQueue;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The beans of {@link AutoConfigureSpindleTest}: a {@link SpindleTestQueue} on the application's
 * task registry and payload size limit, and its store and queue as the application's
 * {@link JobStore} and {@link JobQueue} (so {@link SpindleAutoConfiguration} backs off from its
 * own). Runs before {@link SpindleAutoConfiguration}. Refuses to start if a background worker is
 * configured too (it would run the jobs the test means to run).
 */
@AutoConfiguration(before = SpindleAutoConfiguration.class)
public class SpindleTestAutoConfiguration {
  /** For Spring. */
  public SpindleTestAutoConfiguration() {}

  /**
   * The test queue, closed with the context.
   *
   * @param registry the application's tasks
   * @param properties Spindle's settings (the payload size limit, the default queue)
   * @return the test queue
   */
  @Bean(destroyMethod = "close")
  public SpindleTestQueue spindleTestQueue(TaskRegistry registry, SpindleProperties properties) {
    return SpindleTestQueue.builder().registry(registry)
        .codec(new JsonCodec(properties.getQueue().getMaxPayloadBytes()))
        .defaults(JobOptions.builder().queue(properties.getQueue().getDefaultQueue()).build())
        .build();
  }

  /**
   * The test queue's store (closed by the test queue).
   *
   * @param test the test queue
   * @return its in-memory store
   */
  @Bean(destroyMethod = "")
  @Primary
  public StoreBackend spindleJobStore(SpindleTestQueue test) {
    return test.store();
  }

  /**
   * The test queue's client (closed by the test queue).
   *
   * @param test the test queue
   * @return its queue client
   */
  @Bean(destroyMethod = "")
  @Primary
  public JobQueue spindleJobQueue(SpindleTestQueue test) {
    return test.queue();
  }

  /**
   * Fails the start if the context has a background worker.
   *
   * @param workers the worker beans, if any
   * @return the check
   */
  @Bean
  public SmartInitializingSingleton spindleTestNoWorker(ObjectProvider<SpindleWorker> workers) {
    return () -> {
      if (workers.stream().findAny().isPresent()) {
        throw new IllegalStateException("a Spindle worker bean is configured next to the test queue of"
            + " @AutoConfigureSpindleTest; it would run the jobs the test runs: set spindle.worker.enabled=false"
            + " (AutoConfigureSpindleTest does) and define no SpindleWorker bean in the test");
      }
    };
  }
}
