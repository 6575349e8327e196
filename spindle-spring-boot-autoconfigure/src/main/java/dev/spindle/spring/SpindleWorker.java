package dev.spindle.spring;

import dev.spindle.queue.Worker;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A queue {@link Worker} started and stopped with the Spring application context. It starts once
 * every singleton exists (so tasks may use any bean) and stops in its lifecycle phase during the
 * context's shutdown: no more claims, running jobs get the grace period to finish, the rest are
 * handed back to the store (they run elsewhere or at the next start). The stop runs on its own
 * thread and tells Spring when it is done, so it fits Spring's shutdown phase timeout
 * ({@code spring.lifecycle.timeout-per-shutdown-phase}, 30 s by default; keep the grace below it).
 * Thread-safe.
 */
public final class SpindleWorker implements SmartLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(SpindleWorker.class);

  private final Supplier<Worker.Builder> builder;
  private final Duration grace;
  private final int phase;
  private volatile @Nullable Worker worker;

  /**
   * @param builder makes the configured worker builder (called at each start)
   * @param grace how long running jobs may finish at stop
   * @param phase the lifecycle phase (higher phases stop first)
   */
  public SpindleWorker(Supplier<Worker.Builder> builder, Duration grace, int phase) {
    this.builder = Objects.requireNonNull(builder, "builder");
    this.grace = Objects.requireNonNull(grace, "grace");
    this.phase = phase;
  }

  @Override
  public synchronized void start() {
    if (worker == null) {
      Worker w = builder.get().shutdownGrace(grace).start();
      worker = w;
      LOG.info("Spindle worker {} started", w.id());
    }
  }

  @Override
  public void stop(Runnable callback) {
    Worker w = detach();
    if (w == null) {
      callback.run();
      return;
    }
    Thread t = new Thread(() -> {
      try {
        stopNow(w);
      } finally {
        callback.run();
      }
    }, "spindle-worker-stop");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void stop() {
    Worker w = detach();
    if (w != null) {
      stopNow(w);
    }
  }

  private synchronized @Nullable Worker detach() {
    Worker w = worker;
    worker = null;
    return w;
  }

  private void stopNow(Worker w) {
    LOG.info("Spindle worker {} stopping (grace {})", w.id(), grace);
    w.stop(grace);
    LOG.info("Spindle worker {} stopped", w.id());
  }

  @Override
  public boolean isRunning() {
    return worker != null;
  }

  @Override
  public int getPhase() {
    return phase;
  }

  /** The running worker, empty before start and after stop. */
  public Optional<Worker> worker() {
    return Optional.ofNullable(worker);
  }

  /** The shutdown grace. */
  public Duration grace() {
    return grace;
  }
}
