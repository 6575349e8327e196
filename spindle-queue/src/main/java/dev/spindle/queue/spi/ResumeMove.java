package dev.spindle.queue.spi;

import dev.spindle.queue.JobState;
import java.util.Objects;

/**
 * One job a workflow resume moves ({@link WorkflowControl#resume}), or would move (a preview).
 * Immutable.
 *
 * @param jobId the job
 * @param from its state before
 * @param to its state after (QUEUED or WAITING for the retried node, WAITING for a re-armed dependent)
 */
public record ResumeMove(String jobId, JobState from, JobState to) {
  /** Checks the fields. */
  public ResumeMove {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
  }
}
