package dev.spindle.queue.spi;

import java.util.Set;

/**
 * The store's answer to a heartbeat.
 *
 * @param held ids of the jobs the store still sees RUNNING under this worker; a job the worker runs
 *     but that is missing here was reclaimed (its lease was lost): the worker stops it and does not
 *     complete it
 * @param cancelRequested ids among {@code held} whose cancellation was requested
 */
public record HeartbeatResult(Set<String> held, Set<String> cancelRequested) {
  public HeartbeatResult {
    held = Set.copyOf(held);
    cancelRequested = Set.copyOf(cancelRequested);
  }
}
