package dev.spindle.examples.queues;

import dev.spindle.process.JoinableQueue;
import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The course's first queue example (seed-spec D9) on two threads: a producer thread puts 10 items;
 * a consumer thread loops {@code get} → process → {@code task_done}; the main thread joins the
 * producer, then {@code join()}s the queue, which returns once every item was processed. The
 * consumer, blocked forever in {@code get} like Python's daemon thread, is then interrupted.
 *
 * <p>Output (the interleaving varies):
 * <pre>
 * producer put item-0
 * consumer got item-0
 * ...
 * queue joined: 10 items put, 10 processed
 * </pre>
 */
public final class QueueBasicsDemo {
  private QueueBasicsDemo() {}

  /**
   * Runs it, printing to {@code out}.
   *
   * @return how many items the consumer processed (always {@code items})
   */
  public static int run(int items, PrintStream out) throws InterruptedException {
    Objects.requireNonNull(out, "out");
    if (items < 1) {
      throw new IllegalArgumentException("items must be >= 1: " + items);
    }
    AtomicInteger processed = new AtomicInteger();
    try (JoinableQueue<String> q = JoinableQueue.create(String.class, 0)) {
      Thread consumer = Thread.ofPlatform().name("consumer").daemon().start(() -> {
        try {
          while (true) {
            String item = q.get();
            try {
              out.println("consumer got " + item);
              processed.incrementAndGet();
            } finally {
              q.taskDone();
            }
          }
        } catch (InterruptedException e) {
          // Stopped by main once the queue was joined.
        }
      });
      Thread producer = Thread.ofPlatform().name("producer").start(() -> {
        try {
          for (int i = 0; i < items; i++) {
            String item = "item-" + i;
            q.put(item);
            out.println("producer put " + item);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      producer.join();
      q.join();
      out.println("queue joined: " + items + " items put, " + processed.get() + " processed");
      consumer.interrupt();
      consumer.join();
    }
    return processed.get();
  }
}
