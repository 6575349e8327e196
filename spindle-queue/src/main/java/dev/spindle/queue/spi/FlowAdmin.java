package dev.spindle.queue.spi;

import dev.spindle.queue.FlowLimit;
import java.util.List;
import java.util.Optional;

/**
 * The operators' side of a store's flow control: changing, removing and listing the {@link
 * FlowLimit}s its claim enforces ({@link FlowControl}), and why a job waits. Reached with {@link
 * StoreAdmin#flowAdmin()}. Thread-safe; every method is atomic.
 */
public interface FlowAdmin {
  /** Adds a limit or replaces the one of the same name (at run time: the next claim applies it). */
  void putLimit(FlowLimit limit);

  /** Removes a limit; its keys are then only fair, not limited. False if there was none. */
  boolean removeLimit(String name);

  /** The stored limits, by name. */
  List<FlowLimit> limits();

  /** The most keys {@link #keys} returns. */
  int MAX_KEYS = 1_000;

  /**
   * The keys of the limit {@code limit} that hold something now (running or ready jobs, rate or
   * window state, a pause), in key order, at most {@code max} (at most {@link #MAX_KEYS}), each with
   * what it holds. A store that cannot list them returns an empty list (the default).
   *
   * @throws IllegalArgumentException if {@code max < 1}
   */
  default List<FlowKeyState> keys(String limit, int max) {
    checkMax(max);
    return List.of();
  }

  /**
   * Checks {@code max} of {@link #keys}.
   *
   * @return it, at most {@link #MAX_KEYS}
   */
  static int checkMax(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1: " + max);
    }
    return Math.min(max, MAX_KEYS);
  }

  /** Why the QUEUED job {@code jobId} is not claimed now, if a flow rule holds it. */
  Optional<FlowHold> holdOf(String jobId);
}
