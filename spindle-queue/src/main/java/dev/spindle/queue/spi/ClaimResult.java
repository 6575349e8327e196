package dev.spindle.queue.spi;

import dev.spindle.queue.JobInfo;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The jobs a claim took, each RUNNING with its fencing token, plus a hint for idle workers.
 *
 * @param jobs the claimed jobs (possibly none), RUNNING; a store may leave out the result and error of
 *     earlier attempts, which a worker does not need
 * @param nextRunAt the earliest run time of a SCHEDULED job in the store, or the earliest time a
 *     flow rule (rate, window, pause) that held a ready job lifts if that is sooner, or {@code null}:
 *     an idle worker need not poll before then unless woken by a change
 */
public record ClaimResult(List<JobInfo> jobs, @Nullable Instant nextRunAt) {
  private static final ClaimResult EMPTY = new ClaimResult(List.of(), null);

  public ClaimResult {
    jobs = List.copyOf(jobs);
  }

  /** No jobs and no scheduled ones. */
  public static ClaimResult empty() {
    return EMPTY;
  }
}
