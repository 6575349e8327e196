package dev.spindle.thumbnails;

/**
 * Why one image produced no thumbnails. Every failed image carries exactly one reason plus a
 * message with the details (status code, sizes, attempts); the other images of the run go on.
 * Reasons marked transient were retried with backoff before being reported.
 */
public enum FailureReason {
  /** The URL is not an absolute http(s) URL. */
  INVALID_URL(false),
  /** The server answered 404 Not Found or 410 Gone. */
  NOT_FOUND(false),
  /** Another HTTP error status: 4xx at once, or 408/425/429/5xx after the last retry. */
  HTTP_ERROR(true),
  /** No complete response within the download timeout, on every attempt. */
  TIMEOUT(true),
  /** The connection was reset or closed before the body was complete, on every attempt. */
  CONNECTION_RESET(true),
  /** No connection could be opened (refused, unreachable, unknown host), on every attempt. */
  CONNECTION_FAILED(true),
  /** The body is larger than the configured download limit. */
  TOO_LARGE(false),
  /** The body is not an image in a format this JVM can decode. */
  NOT_AN_IMAGE(false),
  /** The image data ends early (a truncated JPEG or PNG). */
  TRUNCATED(false),
  /** Width × height exceeds the pixel limit (a decompression bomb); refused before decoding. */
  TOO_MANY_PIXELS(false),
  /** The decoder rejected the image data. */
  CORRUPT(false),
  /** Reading or writing a local file failed (for example a full disk). */
  IO_ERROR(false),
  /** The resize worker (a child JVM or a queue worker) died and the retry failed too. */
  WORKER_LOST(true),
  /** The resize task failed unexpectedly (a bug, or a worker ran out of memory); see the message. */
  INTERNAL_ERROR(false),
  /** The run was cancelled or interrupted before this image was done. */
  CANCELLED(false);

  private final boolean retried;

  FailureReason(boolean retried) {
    this.retried = retried;
  }

  /** True if this kind of failure is transient and was retried before it was reported. */
  public boolean isTransient() {
    return retried;
  }
}
