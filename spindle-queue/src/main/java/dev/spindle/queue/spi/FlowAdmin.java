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

  /** Why the QUEUED job {@code jobId} is not claimed now, if a flow rule holds it. */
  Optional<FlowHold> holdOf(String jobId);
}
