package dev.spindle.queue.spi;

import dev.spindle.queue.JobInfo;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of a job listing ({@link JobInspector#page}). Immutable.
 *
 * @param jobs the matching jobs, newest first
 * @param nextBeforeId the {@link JobFilter#beforeId} of the next page, or {@code null} if no older
 *     job can match
 * @param scanned how many jobs the store looked at to find them when it searched by walking jobs
 *     (a bounded scan), or -1 if it used an index
 */
public record JobPage(List<JobInfo> jobs, @Nullable String nextBeforeId, long scanned) {
  /** Copies the list. */
  public JobPage {
    jobs = List.copyOf(jobs);
  }
}
