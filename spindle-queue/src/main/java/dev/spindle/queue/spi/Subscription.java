package dev.spindle.queue.spi;

/** A registration of a change listener ({@link JobStore#subscribe}); closing it stops the calls. */
public interface Subscription extends AutoCloseable {
  /** Stops further calls. Idempotent. */
  @Override
  void close();
}
