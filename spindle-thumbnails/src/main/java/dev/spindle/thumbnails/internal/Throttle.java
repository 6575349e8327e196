package dev.spindle.thumbnails.internal;

/**
 * Paces one response body to a bandwidth: after {@code sent} bytes, the next chunk may go once
 * {@code sent / bytesPerSecond} seconds have passed since the body started. Pure arithmetic on
 * nanosecond readings, so tests drive it with a fake clock. Immutable.
 */
public record Throttle(long bytesPerSecond) {
  public Throttle {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bandwidth must be >= 0 bytes/s (0 = unlimited): " + bytesPerSecond);
    }
  }

  /** True if there is no limit. */
  public boolean unlimited() {
    return bytesPerSecond == 0;
  }

  /** How long to wait before sending more, given the bytes sent and the time since the start. */
  public long delayNanos(long sent, long elapsedNanos) {
    if (unlimited() || sent <= 0) {
      return 0;
    }
    long due = (long) (sent * 1e9 / bytesPerSecond);
    return Math.max(0, due - elapsedNanos);
  }

  /** A chunk size that keeps pacing smooth: about 1/50 s of data, 1 KiB to 64 KiB. */
  public int chunkSize() {
    if (unlimited()) {
      return 64 * 1024;
    }
    return (int) Math.max(1024, Math.min(64 * 1024, bytesPerSecond / 50));
  }

  /** The time a whole body of {@code bytes} takes at this bandwidth, in nanoseconds. */
  public long transferNanos(long bytes) {
    return unlimited() ? 0 : (long) (bytes * 1e9 / bytesPerSecond);
  }
}
