package dev.spindle.thumbnails;

/**
 * Hears about each image as the run goes on (progress bars, logs, metrics). Methods are called from
 * download and resize threads, concurrently: implementations must be thread-safe and quick. An
 * exception thrown here is logged and ignored. Every method has an empty default.
 */
public interface ThumbnailListener {
  /** A listener that does nothing. */
  ThumbnailListener NONE = new ThumbnailListener() {};

  /** The run starts with {@code images} URLs. */
  default void started(int images) {}

  /** An image was saved to the incoming folder. */
  default void downloaded(ImageResult partial, long bytes) {}

  /** An image's thumbnails were written. */
  default void resized(ImageResult result) {}

  /** An image failed (download or resize); it is done. */
  default void failed(ImageResult result) {}
}
