package dev.spindle.queue.spi;

import dev.spindle.queue.JobProgress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one running job reported since the last write, for {@link ProgressStore#write}. Immutable.
 *
 * @param jobId the job
 * @param fence the fencing token of the attempt that reported it
 * @param workerId the worker that holds the job
 * @param fraction the latest progress (0 to 1), or null if none was reported since the last write
 * @param message the latest progress message (ignored when {@code fraction} is null)
 * @param updatedAt when the latest progress was reported (worker's clock; ignored when {@code fraction} is null)
 * @param lines the lines logged since the last write, oldest first; their {@code seq} is ignored
 *     (the store numbers them)
 */
public record ProgressUpdate(String jobId, long fence, String workerId, @Nullable Double fraction, String message,
    Instant updatedAt, List<JobProgress.Line> lines) {
  /** Checks the values; copies {@code lines}. */
  public ProgressUpdate {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(updatedAt, "updatedAt");
    lines = List.copyOf(lines);
    if (fraction != null && !(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be from 0 to 1, got " + fraction);
    }
  }
}
