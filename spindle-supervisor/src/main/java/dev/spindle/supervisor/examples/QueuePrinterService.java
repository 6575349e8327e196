package dev.spindle.supervisor.examples;

import dev.spindle.process.JoinableQueue;
import dev.spindle.process.QueueEmptyException;
import dev.spindle.supervisor.Service;
import dev.spindle.supervisor.ServiceContext;
import java.time.Duration;

/**
 * The consumer of the text's producer/consumer example: takes items from the shared queue and
 * prints {@code I am Worker: %d PID: %d and I print %s}. Each item counts as a job (so
 * {@code maxJobsPerChild} recycles it). It waits for items in short slices so that a stop request
 * is noticed within a quarter of a second.
 */
public final class QueuePrinterService extends Service {
  /**
   * Arguments.
   *
   * @param queue the queue to drain
   */
  public record Args(JoinableQueue.Descriptor queue) {}

  private static final Duration SLICE = Duration.ofMillis(250);

  private final JoinableQueue<Long> queue;

  /** Built by the worker runtime. */
  public QueuePrinterService(ServiceContext context) {
    super(context);
    this.queue = JoinableQueue.open(context.args(Args.class).queue(), Long.class);
  }

  @Override
  public void run() throws InterruptedException {
    while (!stopRequested()) {
      Long item;
      try {
        item = queue.get(SLICE);
      } catch (QueueEmptyException e) {
        continue;
      }
      // one write per line, so that lines of several workers sharing the terminal never interleave
      System.out.println(String.format("I am Worker: %d PID: %d and I print %s", workerId(), pid(), item));
      queue.taskDone();
      jobDone();
    }
  }
}
