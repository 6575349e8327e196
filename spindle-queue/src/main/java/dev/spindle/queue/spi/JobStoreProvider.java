package dev.spindle.queue.spi;

/**
 * Opens stores from a location string such as {@code sqlite:spindle-data/spindle.db},
 * {@code memory:tests} or {@code redis://127.0.0.1:6379/0}. Listed in
 * {@code META-INF/services/dev.spindle.queue.spi.JobStoreProvider}; needs a public no-arg
 * constructor. See {@link dev.spindle.queue.JobStores}.
 */
public interface JobStoreProvider {
  /** The URI scheme it handles, e.g. {@code sqlite}. */
  String scheme();

  /**
   * Opens a store: its hot path and its operators' side ({@link StoreAdmin}) in one backend.
   *
   * @param location the whole location string, scheme included
   * @throws IllegalArgumentException if the location is malformed
   * @throws dev.spindle.queue.StoreException if it cannot be opened
   */
  StoreBackend open(String location);

  /**
   * Opens a store that must already exist, creating nothing (no file, directory or schema): for
   * code that only reads. The default calls {@link #open}, for backends whose opening creates
   * nothing a reader would mistake for a store.
   *
   * @param location the whole location string, scheme included
   * @throws IllegalArgumentException if the location is malformed
   * @throws dev.spindle.queue.StoreException NOT_FOUND if there is no store there; another reason if
   *     it cannot be opened
   */
  default StoreBackend openExisting(String location) {
    return open(location);
  }
}
