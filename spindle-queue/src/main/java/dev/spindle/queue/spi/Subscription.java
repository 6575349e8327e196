package dev.spindle.queue.spi;

/**
 * A registration of a change listener ({@link JobStore#subscribe}); closing it stops the calls.
 * Thread-safe.
 */
public interface Subscription extends AutoCloseable {
  /**
   * Says that the listener is about to wait for a change: call it before the last look at the store
   * that precedes the wait, so a change made after that look calls the listener. A store may
   * announce changes only while somebody waits (Redis publishes a change only then, so a busy fleet
   * sends no wake-ups at all); the default does nothing, for stores that always announce. A failure
   * to announce the wait is not thrown: the listener's own fallback poll covers it.
   */
  default void waiting() { }

  /** Stops further calls. Idempotent. */
  @Override
  void close();
}
