package dev.spindle.coordination;

import dev.spindle.coordination.spi.CoordinationBackend;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One acquisition of a {@link FencedLock} (or of one permit of a semaphore): the owner is this
 * object, not a thread, so it may be acquired on a virtual thread and released from any other.
 * While held, the coordinator renews it every third of its lease duration; if a renewal finds it
 * gone (it expired on the store's clock, e.g. after a GC pause or {@code SIGSTOP} longer than the
 * lease) it becomes lost and {@link #whenLost()} completes.
 *
 * <p>Being "held" here is only this process's belief: a lease can expire on the store before this
 * process notices. That is what the {@linkplain #token() fencing token} is for: pass it to the
 * guarded resource ({@link FencedRegister#write}, {@link JdbcFence}), which rejects a token older
 * than one it has seen. {@link #isHeld()} is conservative: it turns false once the lease duration
 * has passed since the start of the last successful acquire or renewal request, as measured by
 * this JVM's monotonic clock.
 *
 * <p>Thread-safe. Close it (try-with-resources) to release; closing twice is harmless.
 */
public final class Lease implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Lease.class);
  private static final int HELD = 0;
  private static final int RELEASED = 1;
  private static final int LOST = 2;

  private final CoordinationBackend backend;
  private final String name;
  private final String holderId;
  private final long token;
  private final Duration duration;
  private final AtomicInteger state = new AtomicInteger(HELD);
  private final CompletableFuture<Void> lost = new CompletableFuture<>();
  private final Runnable onRelease;
  private volatile long deadlineNanos;
  private volatile @Nullable ScheduledFuture<?> renewal;

  Lease(CoordinationBackend backend, String name, String holderId, long token, Duration duration, long startNanos,
      Runnable onRelease) {
    this.backend = backend;
    this.onRelease = onRelease;
    this.name = name;
    this.holderId = holderId;
    this.token = token;
    this.duration = duration;
    this.deadlineNanos = startNanos + duration.toNanos();
  }

  /** The lock's name. */
  public String name() {
    return name;
  }

  /** This acquisition's holder id in the store (unique per acquisition). */
  public String holderId() {
    return holderId;
  }

  /** The fencing token: greater than the token of every earlier acquisition of the same name. */
  public long token() {
    return token;
  }

  /** The lease duration (the store expires the lease this long after its last renewal). */
  public Duration duration() {
    return duration;
  }

  /** True while neither released nor lost and the lease duration has not run out locally. */
  public boolean isHeld() {
    return state.get() == HELD && System.nanoTime() - deadlineNanos < 0;
  }

  /** Completes when the lease is found lost (renewal refused or impossible until it ran out); never on release. */
  public CompletableFuture<Void> whenLost() {
    return lost;
  }

  /**
   * Releases the lease (any thread; idempotent). A lease already expired in the store is simply
   * forgotten.
   *
   * @throws CoordinationException if the store cannot be reached (the lease then expires by itself)
   */
  @Override
  public void close() {
    if (state.compareAndSet(HELD, RELEASED) || state.get() == LOST && state.compareAndSet(LOST, RELEASED)) {
      ScheduledFuture<?> r = renewal;
      if (r != null) {
        r.cancel(false);
      }
      try {
        backend.release(name, holderId, token);
      } finally {
        onRelease.run();
      }
    }
  }

  void renewal(ScheduledFuture<?> r) {
    this.renewal = r;
    if (state.get() != HELD) {
      r.cancel(false);
    }
  }

  /** One renewal, run by the coordinator's scheduler. */
  void renew() {
    if (state.get() != HELD) {
      return;
    }
    long start = System.nanoTime();
    try {
      if (backend.renew(name, holderId, token, duration)) {
        deadlineNanos = start + duration.toNanos();
        return;
      }
      markLost("the store no longer has it (expired or taken)");
    } catch (RuntimeException e) {
      if (System.nanoTime() - deadlineNanos >= 0) {
        markLost("renewals failed until it ran out: " + e);
      } else {
        LOG.debug("lease {} token {}: renewal failed, retrying: {}", name, token, e.toString());
      }
    }
  }

  private void markLost(String why) {
    if (state.compareAndSet(HELD, LOST)) {
      ScheduledFuture<?> r = renewal;
      if (r != null) {
        r.cancel(false);
      }
      LOG.warn("lease {} token {} lost: {}", name, token, why);
      lost.complete(null);
    }
  }

  @Override
  public String toString() {
    return "Lease[" + name + " token " + token + " " + holderId + (isHeld() ? " held" : " not held") + "]";
  }
}
