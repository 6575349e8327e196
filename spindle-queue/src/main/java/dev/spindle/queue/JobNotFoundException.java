package dev.spindle.queue;

import java.util.NoSuchElementException;

/**
 * No job has the given id in the store: it never existed, or it finished and was removed by
 * retention or purge, or it succeeded under a policy that keeps no successes ({@code resultTtl} 0).
 */
public class JobNotFoundException extends NoSuchElementException {
  private final String jobId;

  public JobNotFoundException(String jobId) {
    super("no job with id '" + jobId + "' in the store (never enqueued, removed by retention or purge, or succeeded"
        + " with a resultTtl of 0, which keeps no successes)");
    this.jobId = jobId;
  }

  /** The id that was looked up. */
  public String jobId() {
    return jobId;
  }
}
