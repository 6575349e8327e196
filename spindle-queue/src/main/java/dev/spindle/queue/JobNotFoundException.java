package dev.spindle.queue;

import java.util.NoSuchElementException;

/**
 * No job has the given id in the store: it never existed, or it finished and was removed by
 * retention or purge.
 */
public class JobNotFoundException extends NoSuchElementException {
  private final String jobId;

  public JobNotFoundException(String jobId) {
    super("no job with id '" + jobId + "' in the store (never enqueued, or removed by retention or purge)");
    this.jobId = jobId;
  }

  /** The id that was looked up. */
  public String jobId() {
    return jobId;
  }
}
