package dev.spindle.queue.spi;

import dev.spindle.queue.JobState;
import java.util.Map;

/**
 * Counts of one queue's jobs by state, with its concurrency limit.
 *
 * @param queue the queue name
 * @param counts jobs per state (states without jobs may be missing)
 * @param limit the most RUNNING jobs across all workers, or 0 for no limit
 */
public record QueueSummary(String queue, Map<JobState, Long> counts, int limit) {
  public QueueSummary {
    counts = Map.copyOf(counts);
  }

  /** The number of jobs in {@code state}. */
  public long count(JobState state) {
    return counts.getOrDefault(state, 0L);
  }

  /** SCHEDULED + QUEUED. */
  public long waiting() {
    return count(JobState.SCHEDULED) + count(JobState.QUEUED);
  }
}
