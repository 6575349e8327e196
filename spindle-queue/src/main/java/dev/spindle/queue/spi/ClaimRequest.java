package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A worker asks for up to {@code max} ready jobs: as many as it has free slots, never more.
 *
 * <p>The store first promotes SCHEDULED jobs whose run time is {@code <= now} to QUEUED, then takes
 * jobs from the queues in the given order (the first queue is drained before the second is
 * touched), highest priority first, oldest first among equals, skipping a queue whose concurrency
 * limit ({@link JobStore#setQueueLimit}) is reached by RUNNING jobs of all workers. Each claimed
 * job moves to RUNNING with {@code workerId}, its attempt count incremented and a new fencing
 * token.
 *
 * @param workerId the claiming worker, which must be registered ({@link JobStore#heartbeat})
 * @param queues queue names in priority order, at least one
 * @param max the most jobs to claim, at least 1
 * @param now the worker's clock
 */
public record ClaimRequest(String workerId, List<String> queues, int max, Instant now) {
  public ClaimRequest {
    Objects.requireNonNull(workerId, "workerId");
    queues = List.copyOf(queues);
    if (queues.isEmpty()) {
      throw new IllegalArgumentException("a claim needs at least one queue");
    }
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1: " + max);
    }
    Objects.requireNonNull(now, "now");
  }
}
