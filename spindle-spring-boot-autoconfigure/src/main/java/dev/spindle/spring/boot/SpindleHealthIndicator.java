package dev.spindle.spring.boot;

import dev.spindle.queue.Worker;
import dev.spindle.queue.WorkerStats;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.spring.SpindleWorker;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Actuator health of Spindle ({@code /actuator/health/spindle}): DOWN only if the store cannot be
 * reached within the timeout or the application's worker died (one of its internal threads
 * failed); UP otherwise, however long the queues are. A backlog is work, not a fault: restarting
 * the pod would not shorten it (it is what got db-scheduler users' pods killed), so queue lengths
 * are not even read here, which also keeps the probe cheap on stores with millions of jobs. Details:
 * the store (credentials masked), the worker id, its running jobs and counters. Thread-safe.
 */
public class SpindleHealthIndicator implements HealthIndicator {
  private final JobStore store;
  private final @Nullable SpindleWorker worker;
  private final Duration timeout;

  /**
   * @param store the store to probe (a cheap read of its finish cursor)
   * @param worker the application's worker, or null if it runs none
   * @param timeout how long the probe may take
   */
  public SpindleHealthIndicator(JobStore store, @Nullable SpindleWorker worker, Duration timeout) {
    this.store = Objects.requireNonNull(store, "store");
    this.worker = worker;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  @Override
  public Health health() {
    Health.Builder h = Health.up().withDetail("store", store.describe());
    String storeError = probeStore();
    if (storeError != null) {
      h.down().withDetail("storeError", storeError);
    }
    if (worker == null) {
      h.withDetail("worker", "none (spindle.worker.enabled=false)");
      return h.build();
    }
    Optional<Worker> w = worker.worker();
    if (w.isEmpty()) {
      h.withDetail("worker", "stopped");
      return h.build();
    }
    Worker running = w.get();
    h.withDetail("worker", running.id());
    Optional<Throwable> failure = running.failure();
    if (failure.isPresent()) {
      h.down().withDetail("workerError", dev.spindle.spi.Echo.of(String.valueOf(failure.get())));
    } else if (running.isTerminated()) {
      h.down().withDetail("workerError", "the worker stopped on its own");
    }
    WorkerStats s = running.stats();
    h.withDetail("running", s.running()).withDetail("succeeded", s.succeeded()).withDetail("failed", s.failed())
        .withDetail("retried", s.retried()).withDetail("dead", s.dead());
    return h.build();
  }

  /** Null if the store answered in time, else why not. */
  private @Nullable String probeStore() {
    CompletableFuture<Long> probe = new CompletableFuture<>();
    Thread.ofVirtual().name("spindle-health-probe").start(() -> {
      try {
        probe.complete(store.finishCursor());
      } catch (Throwable t) {
        probe.completeExceptionally(t);
      }
    });
    try {
      probe.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return null;
    } catch (TimeoutException e) {
      return "no answer within " + timeout;
    } catch (ExecutionException e) {
      return dev.spindle.spi.Echo.of(String.valueOf(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
