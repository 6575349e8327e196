package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Checks that a store outage is not taken for clock skew: a worker heartbeats every 100 ms, the
 * server is stopped for {@link #OUTAGE} while a heartbeat waits for it, then started again; every
 * skew the worker measured, read at the start of each heartbeat (so the one the waited heartbeat
 * measured is seen), must stay within {@link #TOLERANCE}. Before the fix the waited heartbeat read as
 * the worker's clock being half the outage behind. Not thread-safe; one check per call.
 */
public final class OutageSkewCheck {
  /** How long the server stays down. */
  public static final Duration OUTAGE = Duration.ofSeconds(3);
  /** The most a measured skew may be off, with both clocks the same host's. */
  public static final Duration TOLERANCE = Duration.ofMillis(500);

  private OutageSkewCheck() {}

  /**
   * Runs the check on {@code store}. {@code outage} stops the server, runs the runnable it is given
   * (which returns once a heartbeat has waited for {@link #OUTAGE}), then starts the server again.
   */
  public static void run(JobStore store, Consumer<Runnable> outage) {
    AtomicInteger begun = new AtomicInteger();
    AtomicReference<Worker> worker = new AtomicReference<>();
    List<Duration> skews = new CopyOnWriteArrayList<>();
    JobStore counted = (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {
        JobStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("heartbeat")) {
            Worker w = worker.get();
            if (w != null) {
              w.clockSkew().ifPresent(skews::add);
            }
            begun.incrementAndGet();
          }
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    try (Worker w = Worker.builder(counted).registry(TaskRegistry.of(StoreContractTasks.class)).concurrency(1)
        .heartbeatInterval(Duration.ofMillis(100)).leaseDuration(Duration.ofSeconds(60))
        .clockSkewWarning(Duration.ofSeconds(2)).shutdownGrace(Duration.ofSeconds(5)).start()) {
      worker.set(w);
      await().atMost(Duration.ofSeconds(30)).until(() -> !skews.isEmpty());
      outage.accept(() -> {
        int before = begun.get();
        long down = System.nanoTime();
        // a heartbeat began while the server is down, and has waited for the whole outage
        await().atMost(Duration.ofSeconds(60)).until(() -> begun.get() > before
            && System.nanoTime() - down >= OUTAGE.toNanos());
      });
      int after = begun.get();
      await().atMost(Duration.ofSeconds(60)).until(() -> begun.get() > after + 2);
      assertThat(skews).as("clock skews measured around a store outage of %s", OUTAGE)
          .allSatisfy(s -> assertThat(s.abs()).isLessThan(TOLERANCE));
    }
  }
}
