package dev.spindle.supervisor.examples;

import dev.spindle.process.JoinableQueue;
import dev.spindle.supervisor.ServiceConfig;
import java.time.Duration;
import java.util.List;

/**
 * The text's Cotyledon examples as service configurations, shared by {@code spindle services} and
 * the tests. Stateless.
 */
public final class CotyledonExamples {
  private CotyledonExamples() {}

  /** {@code manager.add(PrinterService, 2)}: {@code printer} workers printing {@code Doing stuff} every second. */
  public static ServiceConfig printer(int workers) {
    return ServiceConfig.builder("printer", PrinterService.class).workers(workers).stopTimeout(Duration.ofSeconds(5))
        .build();
  }

  /**
   * The producer/consumer manager: one {@code ProducerService} (named after its class, as in the
   * text) putting 0, 1, 2, ... on {@code queue} every {@code interval}, and {@code printers}
   * {@code printer} workers taking them. {@code maxJobsPerChild} recycles printers (0: never).
   */
  public static List<ServiceConfig> producerConsumer(JoinableQueue<Long> queue, int printers, Duration interval,
      long maxJobsPerChild) {
    return List.of(
        ServiceConfig.builder(ProducerService.class)
            .args(new ProducerService.Args(queue.descriptor(), interval.toMillis()))
            .stopTimeout(Duration.ofSeconds(5)).build(),
        ServiceConfig.builder("printer", QueuePrinterService.class).workers(printers)
            .args(new QueuePrinterService.Args(queue.descriptor())).maxJobsPerChild(maxJobsPerChild)
            .stopTimeout(Duration.ofSeconds(5)).build());
  }
}
