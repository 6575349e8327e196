package dev.spindle.queue.spi;

import dev.spindle.queue.JobState;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a dependency (or an awaited job) ended, as the store read it: its terminal state and its
 * result or error as JSON. Immutable.
 *
 * <p>Throws {@link NullPointerException} if {@code jobId} or {@code state} is null.
 */
public record DependencyEnd(String jobId, JobState state, @Nullable String resultJson, @Nullable String errorJson) {
  /** Checks the required fields. */
  public DependencyEnd {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(state, "state");
  }
}
