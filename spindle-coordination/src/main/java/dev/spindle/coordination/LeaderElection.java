package dev.spindle.coordination;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A candidacy for leadership of a group ({@link Coordinator#election}): leadership is a
 * {@link Lease} of the lock {@code election/<group>}, so the leader has a fencing token to guard
 * what it writes, and a leader that pauses past its lease is replaced (and told, on resuming, by
 * {@link Listener#revoked}). Thread-safe; close to resign (releases the lease).
 */
public final class LeaderElection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

  /**
   * Hears this candidate's elections and losses, in order: {@code elected} on the coordinator's
   * scheduler thread (a {@link #close()} meanwhile waits until it returned), {@code revoked} there or
   * on the thread that closes. Keep both short.
   */
  public interface Listener {
    /** This candidate became leader; {@code lease.token()} fences its writes. */
    void elected(Lease lease);

    /** The leadership lease was lost (expired in the store) or resigned. */
    default void revoked(Lease lease) {}
  }

  private final Coordinator coordinator;
  private final FencedLock lock;
  private final String candidateId;
  private final Listener listener;
  private final Object lock0 = new Object();
  private @Nullable Lease lease;
  private volatile @Nullable ScheduledFuture<?> tries;
  private volatile @Nullable ScheduledExecutorService scheduler;
  private volatile boolean closed;

  LeaderElection(Coordinator coordinator, FencedLock lock, String candidateId, Listener listener) {
    this.coordinator = coordinator;
    this.lock = lock;
    this.candidateId = candidateId;
    this.listener = listener;
  }

  void start(ScheduledExecutorService scheduler, Duration every) {
    this.scheduler = scheduler;
    tries = scheduler.scheduleWithFixedDelay(this::tryLead, 0, every.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void tryLead() {
    Lease won;
    synchronized (lock0) {
      if (closed || lease != null && lease.isHeld()) {
        return;
      }
      if (lease != null) {
        Lease old = lease;
        lease = null;
        listener.revoked(old);
      }
      try {
        won = lock.tryAcquire(candidateId + "#" + coordinator.newHolderId()).orElse(null);
      } catch (RuntimeException e) {
        LOG.warn("election {}: {} could not try: {}", lock.name(), candidateId, e.toString());
        return;
      }
      if (won == null) {
        return;
      }
      lease = won;
      // told under the candidate's lock, so a close() meanwhile revokes only after it was heard
      listener.elected(won);
    }
    // a renewal that finds the lease gone revokes at once, not at the next try
    won.whenLost().thenRun(() -> {
      ScheduledExecutorService s = scheduler;
      if (s != null && !closed) {
        try {
          s.execute(this::tryLead);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          // the coordinator is closing
        }
      }
    });
  }

  /** True while this candidate holds the leadership lease (as far as this process knows). */
  public boolean isLeader() {
    synchronized (lock0) {
      return lease != null && lease.isHeld();
    }
  }

  /** The current leader's candidate id, as the store sees it. */
  public Optional<String> leader() {
    return lock.holders().stream().findFirst().map(h -> {
      int at = h.holderId().lastIndexOf('#');
      return at < 0 ? h.holderId() : h.holderId().substring(0, at);
    });
  }

  /** Stops competing and releases the lease if held. */
  @Override
  public void close() {
    Lease l;
    synchronized (lock0) {
      closed = true;
      l = lease;
      lease = null;
    }
    ScheduledFuture<?> t = tries;
    if (t != null) {
      t.cancel(false);
    }
    coordinator.forget(this);
    if (l != null) {
      l.close();
      listener.revoked(l);
    }
  }
}
