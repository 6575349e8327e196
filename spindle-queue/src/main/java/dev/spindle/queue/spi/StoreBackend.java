package dev.spindle.queue.spi;

/**
 * An opened store with both of its sides: the hot-path {@link JobStore} that producers and workers
 * take, and the operators' {@link StoreAdmin} that the dashboard, the CLI and metrics take. What a
 * {@link JobStoreProvider} opens and {@link dev.spindle.queue.JobStores#open} returns; pass it as a
 * {@code JobStore} to a queue or worker and as a {@code StoreAdmin} to operators' tools. Closing it
 * closes both sides. Thread-safe.
 */
public interface StoreBackend extends JobStore, StoreAdmin {
  /** A short description for messages and logs, e.g. {@code sqlite:/data/spindle.db}. No secrets. */
  @Override
  String describe();
}
