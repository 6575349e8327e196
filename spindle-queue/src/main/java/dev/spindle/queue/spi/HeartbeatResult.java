package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The store's answer to a heartbeat.
 *
 * @param held ids of the jobs the store still sees RUNNING under this worker; a job the worker runs
 *     but that is missing here was reclaimed (its lease was lost): the worker stops it and does not
 *     complete it
 * @param cancelRequested ids among {@code held} whose cancellation was requested
 * @param storeTime the store's clock when it handled the heartbeat, so the worker can measure how
 *     far its own clock is off; {@code null} if the store does not say
 */
public record HeartbeatResult(Set<String> held, Set<String> cancelRequested, @Nullable Instant storeTime) {
  public HeartbeatResult {
    held = Set.copyOf(held);
    cancelRequested = Set.copyOf(cancelRequested);
  }

  /** An answer without the store's time. */
  public HeartbeatResult(Set<String> held, Set<String> cancelRequested) {
    this(held, cancelRequested, null);
  }
}
