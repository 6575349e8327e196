package dev.spindle.examples.queues;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.TaskContext;
import dev.spindle.TaskRegistry;
import dev.spindle.examples.primes.Primes;
import dev.spindle.process.JoinableQueue;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The consumer of {@link PoisonPillPipeline} as a portable task, so the same consumer runs on a
 * thread, a virtual thread or in a child JVM. It attaches to the two shared queues by descriptor.
 */
public final class QueueTasks implements TaskCatalog {
  /**
   * {@code queues.consume}: loops {@code get} → check → {@code put} result → {@code task_done} until
   * it takes a poison pill, which it acknowledges on the result queue (and marks done) before
   * returning the number of items it handled.
   */
  public static final Task<ConsumerArgs, Long> CONSUME =
      Task.withContext("queues.consume", ConsumerArgs.class, Long.class, QueueTasks::consume);

  /** A portable registry holding this catalog. */
  public static final TaskRegistry REGISTRY = TaskRegistry.of(QueueTasks.class);

  /** Public for {@link TaskRegistry}'s reflective construction. */
  public QueueTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(CONSUME);
  }

  /**
   * A consumer's input.
   *
   * @param name the consumer's name, echoed in its deliveries
   * @param jobs where it takes work
   * @param results where it puts deliveries
   */
  public record ConsumerArgs(String name, JoinableQueue.Descriptor jobs, JoinableQueue.Descriptor results) {
    public ConsumerArgs {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(jobs, "jobs");
      Objects.requireNonNull(results, "results");
    }
  }

  static Long consume(ConsumerArgs args, TaskContext ctx) throws InterruptedException {
    try (JoinableQueue<WorkItem> jobs = JoinableQueue.open(args.jobs(), WorkItem.class);
        JoinableQueue<Delivery> results = JoinableQueue.open(args.results(), Delivery.class)) {
      long handled = 0;
      while (true) {
        WorkItem item = jobs.get();
        try {
          if (item.isPill()) {
            results.put(Delivery.stopped(args.name(), handled));
            return handled;
          }
          long t0 = System.nanoTime();
          boolean prime = Primes.isPrime(item.n(), ctx::checkCancelled);
          results.put(Delivery.result(args.name(), item.n(), prime, (System.nanoTime() - t0) / 1e9));
          handled++;
        } finally {
          jobs.taskDone(); // after the result is out: join() then means "every result was delivered"
        }
      }
    }
  }
}
