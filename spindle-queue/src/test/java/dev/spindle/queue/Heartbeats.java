package dev.spindle.queue;

import static org.awaitility.Awaitility.await;

import dev.spindle.queue.spi.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A real store behind a proxy that counts a worker's heartbeats as they begin, so a test can wait for
 * whole heartbeats (the store call and what the housekeeper does with its answer) instead of a time.
 */
final class Heartbeats {
  private final AtomicInteger begun = new AtomicInteger();
  private final IntConsumer onBegin;

  /** Counts only. */
  Heartbeats() {
    this(n -> { });
  }

  /** Counts, and gives {@code onBegin} each heartbeat's number (from 1) as it begins, on its thread. */
  Heartbeats(IntConsumer onBegin) {
    this.onBegin = onBegin;
  }

  JobStore wrap(JobStore inner) {
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("heartbeat")) {
            onBegin.accept(begun.incrementAndGet());
          }
          try {
            return method.invoke(inner, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** How many heartbeats began. */
  int begun() {
    return begun.get();
  }

  /**
   * Waits until {@code n} heartbeats that began after this call have ended: the next one began, on the
   * same housekeeping thread.
   */
  void awaitWhole(int n) {
    int from = begun.get();
    await().atMost(Duration.ofSeconds(30)).until(() -> begun.get() > from + n);
  }
}
