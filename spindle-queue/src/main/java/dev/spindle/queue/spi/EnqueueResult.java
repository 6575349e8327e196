package dev.spindle.queue.spi;

import dev.spindle.queue.JobState;
import java.util.Objects;

/**
 * What the store did with one {@link NewJob}.
 *
 * @param jobId the new job's id, or the id of the existing job with the same unique key
 * @param created false if a job with the same unique key already existed and was returned instead
 * @param state the job's state now
 */
public record EnqueueResult(String jobId, boolean created, JobState state) {
  public EnqueueResult {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(state, "state");
  }
}
