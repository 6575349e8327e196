package dev.spindle;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Options of {@link TaskExecutor#map}. Immutable.
 *
 * @param timeout how long the whole map may take, counted from the call; {@code null} for no limit.
 *     When it runs out, the iterator throws {@link TaskTimeoutException} and cancels what is left.
 * @param chunkSize how many inputs go to a worker in one message; only the {@code PROCESSES} model
 *     uses it (larger chunks amortize the round trip). Default 1.
 * @param window how many chunks may be in flight at once; default {@code 0}, meaning
 *     4 × workers (at least 16)
 */
public record MapOptions(@Nullable Duration timeout, int chunkSize, int window) {
  private static final MapOptions DEFAULTS = new MapOptions(null, 1, 0);

  public MapOptions {
    if (timeout != null && timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be >= 1: " + chunkSize);
    }
    if (window < 0) {
      throw new IllegalArgumentException("window must be >= 0: " + window);
    }
  }

  /** No timeout, chunk size 1, default window. */
  public static MapOptions defaults() {
    return DEFAULTS;
  }

  /** A copy with the given timeout. */
  public MapOptions withTimeout(@Nullable Duration timeout) {
    return new MapOptions(Objects.requireNonNull(timeout, "timeout"), chunkSize, window);
  }

  /** A copy with the given chunk size. */
  public MapOptions withChunkSize(int chunkSize) {
    return new MapOptions(timeout, chunkSize, window);
  }

  /** A copy with the given window. */
  public MapOptions withWindow(int window) {
    return new MapOptions(timeout, chunkSize, window);
  }
}
