package dev.spindle.queue;

/**
 * A durable job cannot go on: a limit of {@link DurableRules} refused a step, or its code no longer
 * matches its records. The job ends DEAD with {@link #deadReason()} whatever the task does with the
 * exception. Thread-safe (immutable).
 */
public final class DurableJobException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String deadReason;

  /**
   * @param deadReason the job's dead reason, e.g. {@link DurableRules#STEP_LIMIT} or {@link
   *     DurableRules#NONDETERMINISTIC}
   */
  public DurableJobException(String deadReason, String message) {
    super(message);
    this.deadReason = deadReason;
  }

  /** The dead reason the job ends with. */
  public String deadReason() {
    return deadReason;
  }
}
