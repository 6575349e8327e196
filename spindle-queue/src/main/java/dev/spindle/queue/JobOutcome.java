package dev.spindle.queue;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * How a dependency ended, as a dependent with {@link WorkflowInput#OUTCOMES} receives it. Immutable.
 *
 * @param jobId the dependency's id
 * @param state its terminal state
 * @param result its result (SUCCEEDED), else null
 * @param error its error (FAILED, DEAD, sometimes CANCELLED), else null
 */
public record JobOutcome(String jobId, JobState state, @Nullable JsonNode result, @Nullable JobError error) {
  /** True if the dependency succeeded. */
  public boolean succeeded() {
    return state == JobState.SUCCEEDED;
  }
}
