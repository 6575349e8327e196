package dev.spindle.queue.store;

import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.Subscription;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change listeners of a store, for backends implementing {@link JobStore#subscribe}:
 * {@link #add} returns the {@link Subscription}; {@link #fire} calls every listener in the order
 * they subscribed, logging (never propagating) a listener's exception. Each subscription is its own
 * entry, so closing it removes exactly that one, however often the same {@code Runnable} was added.
 * Thread-safe: {@link #fire} may run while listeners come and go.
 */
public final class ChangeListeners {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeListeners.class);

  private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

  /**
   * Adds a listener.
   *
   * @return closing it removes the listener (idempotent)
   * @throws NullPointerException if {@code onChange} is null
   */
  public Subscription add(Runnable onChange) {
    Objects.requireNonNull(onChange, "onChange");
    Runnable entry = onChange::run; // a distinct object per subscription
    listeners.add(entry);
    return () -> listeners.remove(entry);
  }

  /** Calls every listener on this thread. */
  public void fire() {
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        LOG.warn("store change listener threw", e);
      }
    }
  }

  /** True if nobody listens. */
  public boolean isEmpty() {
    return listeners.isEmpty();
  }

  /** Removes every listener (when the store closes). */
  public void clear() {
    listeners.clear();
  }
}
