package dev.spindle.queue;

/**
 * A job was asked to move between two states that {@link JobState}'s transition table does not
 * connect, e.g. requeueing a job that succeeded. Nothing was changed.
 */
public class IllegalJobTransitionException extends IllegalStateException {
  private final String jobId;
  private final JobState from;
  private final JobState to;

  public IllegalJobTransitionException(String jobId, JobState from, JobState to) {
    this(jobId, from, to, "allowed from " + from + ": "
        + (from.allowedTargets().isEmpty() ? "none, it is final" : from.allowedTargets()));
  }

  /** With a specific explanation instead of the list of allowed targets. */
  public IllegalJobTransitionException(String jobId, JobState from, JobState to, String detail) {
    super("job " + jobId + " cannot move from " + from + " to " + to + ": " + detail);
    this.jobId = jobId;
    this.from = from;
    this.to = to;
  }

  /** The job's id. */
  public String jobId() {
    return jobId;
  }

  /** The state it is in. */
  public JobState from() {
    return from;
  }

  /** The state it was asked to move to. */
  public JobState to() {
    return to;
  }
}
