package dev.spindle.supervisor.examples;

import dev.spindle.process.JoinableQueue;
import dev.spindle.supervisor.Service;
import dev.spindle.supervisor.ServiceContext;
import java.time.Duration;

/**
 * The producer of the text's producer/consumer example: puts 0, 1, 2, ... into a cross-process
 * {@link JoinableQueue} (served by the master) once a second. It has no explicit name, so like
 * Cotyledon's it appears as {@code ProducerService worker(0)}.
 */
public final class ProducerService extends Service {
  /**
   * Arguments.
   *
   * @param queue the queue to fill
   * @param intervalMillis the period (default 1000)
   */
  public record Args(JoinableQueue.Descriptor queue, long intervalMillis) {}

  private final JoinableQueue<Long> queue;
  private final Duration interval;

  /** Built by the worker runtime. */
  public ProducerService(ServiceContext context) {
    super(context);
    Args a = context.args(Args.class);
    this.queue = JoinableQueue.open(a.queue(), Long.class);
    this.interval = Duration.ofMillis(a.intervalMillis() <= 0 ? 1000 : a.intervalMillis());
  }

  @Override
  public void run() throws InterruptedException {
    long i = 0;
    do {
      queue.put(i++);
    } while (!awaitStop(interval));
  }
}
