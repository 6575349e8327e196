package dev.spindle.coordination;

import dev.spindle.coordination.spi.CoordinationBackend;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * A lock, or a semaphore of N permits, whose acquisitions are {@link Lease}s on the store's clock
 * carrying monotonic fencing tokens. Not reentrant and not fair: waiters poll the store with a
 * backoff (1 ms doubling to 50 ms, or sooner when the store says when the oldest lease expires), and
 * retry at once when a release is heard of (releases through the same coordinator; on Redis, a
 * release by any process, published by the release script).
 *
 * <pre>{@code
 * FencedLock lock = coordinator.lock("invoices");
 * try (Lease lease = lock.acquire(Duration.ofSeconds(5)).orElseThrow()) {
 *   register.write(lease, newValue);   // rejected if a newer holder wrote meanwhile
 * }
 * }</pre>
 *
 * <p>Every user of one name must use the same number of permits. Thread-safe; a lease may be
 * acquired on a virtual thread and closed on another thread.
 */
public final class FencedLock {
  private static final long MIN_WAIT_NANOS = 1_000_000;
  private static final long MAX_WAIT_NANOS = 50_000_000;

  private final Coordinator coordinator;
  private final CoordinationBackend backend;
  private final String name;
  private final int permits;
  private final Duration lease;

  FencedLock(Coordinator coordinator, String name, int permits, Duration lease) {
    this.coordinator = coordinator;
    this.backend = coordinator.backend();
    this.name = name;
    this.permits = permits;
    this.lease = lease;
  }

  /** The name in the store. */
  public String name() {
    return name;
  }

  /** The number of permits (1 for a lock). */
  public int permits() {
    return permits;
  }

  /** The lease duration of each acquisition. */
  public Duration leaseDuration() {
    return lease;
  }

  /**
   * Acquires a permit if one is free now.
   *
   * @throws CoordinationException if the store cannot be reached
   */
  public Optional<Lease> tryAcquire() {
    return tryAcquire(coordinator.newHolderId());
  }

  Optional<Lease> tryAcquire(String holderId) {
    long start = System.nanoTime();
    CoordinationBackend.Grant g = backend.tryAcquire(name, permits, holderId, lease);
    if (!g.granted() || bornExpired(g, holderId, start)) {
      return Optional.empty();
    }
    return Optional.of(coordinator.track(new Lease(backend, name, holderId, g.token(), lease, start, () -> coordinator.released(name))));
  }

  /**
   * Waits at most {@code timeout} for a permit.
   *
   * @return the lease, or empty if the timeout passed
   * @throws InterruptedException if interrupted while waiting (nothing is held then)
   * @throws CoordinationException if the store cannot be reached
   */
  public Optional<Lease> acquire(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    String holderId = coordinator.newHolderId();
    long deadline = System.nanoTime() + timeout.toNanos();
    long wait = MIN_WAIT_NANOS;
    coordinator.waiting(name, true);
    try {
      return waitLoop(holderId, deadline, wait);
    } finally {
      coordinator.waiting(name, false);
    }
  }

  private Optional<Lease> waitLoop(String holderId, long deadline, long wait) throws InterruptedException {
    while (true) {
      long start = System.nanoTime();
      CoordinationBackend.Grant g = backend.tryAcquire(name, permits, holderId, lease);
      if (g.granted() && !bornExpired(g, holderId, start)) {
        return Optional.of(coordinator.track(new Lease(backend, name, holderId, g.token(), lease, start, () -> coordinator.released(name))));
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      long pause = Math.min(Math.min(wait, Math.max(MIN_WAIT_NANOS, g.retryAfter().toNanos())), left);
      LockSupport.parkNanos(pause);
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for " + name);
      }
      wait = Math.min(MAX_WAIT_NANOS, wait * 2);
    }
  }

  /**
   * Waits as long as needed for a permit.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public Lease acquire() throws InterruptedException {
    return acquire(Duration.ofNanos(Long.MAX_VALUE)).orElseThrow();
  }

  /**
   * True (and the grant released) if the acquisition took the whole lease duration: the process
   * was paused or the store stalled while granting, so the lease may have expired, and another
   * holder may hold the name, before this process could use it.
   */
  private boolean bornExpired(CoordinationBackend.Grant g, String holderId, long start) {
    if (System.nanoTime() - start < lease.toNanos()) {
      return false;
    }
    try {
      backend.release(name, holderId, g.token());
    } catch (RuntimeException e) {
      // it expires by itself
    }
    return true;
  }

  /** The current holders as the store sees them. */
  public List<Holder> holders() {
    return backend.holders(name);
  }

  @Override
  public String toString() {
    return "FencedLock[" + name + ", " + permits + " permit(s), lease " + lease + "]";
  }
}
