package dev.spindle.queue.spi;

import dev.spindle.queue.JobInfo;
import java.util.List;

/**
 * A page of the store's feed of terminal transitions, in {@link JobInfo#finishSeq()} order.
 *
 * @param jobs jobs whose last terminal transition has a sequence number above the cursor asked
 *     for (jobs removed since are not in it)
 * @param cursor the cursor for the next call (the highest sequence number returned, or the one asked
 *     for if none)
 */
public record FinishedBatch(List<JobInfo> jobs, long cursor) {
  public FinishedBatch {
    jobs = List.copyOf(jobs);
  }
}
