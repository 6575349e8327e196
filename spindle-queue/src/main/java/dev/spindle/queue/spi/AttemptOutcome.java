package dev.spindle.queue.spi;

import org.jspecify.annotations.Nullable;

/** How one attempt of a job ended, as the {@link AttemptLedger} keeps it. */
public enum AttemptOutcome {
  /** The task returned. */
  SUCCEEDED,
  /** The task failed and the job was scheduled to run again. */
  RETRY,
  /** The task failed for good. */
  FAILED,
  /** The job was dead-lettered (unknown task, bad arguments, a durable limit). */
  DEAD,
  /** The job was cancelled while it ran. */
  CANCELLED,
  /** A stopping worker handed the job back unfinished. */
  RELEASED,
  /** A durable job suspended on a timer, signal or job; a later attempt resumes it. */
  SUSPENDED,
  /** Its worker's lease ran out (or the worker stopped without stopping it): the job was reclaimed. */
  LOST;

  /** The outcome a completion of {@code outcome} records. */
  public static AttemptOutcome of(Completion.Outcome outcome) {
    return switch (outcome) {
      case SUCCEEDED -> SUCCEEDED;
      case RETRY -> RETRY;
      case FAILED -> FAILED;
      case DEAD -> DEAD;
      case CANCELLED -> CANCELLED;
      case RELEASED -> RELEASED;
    };
  }

  /**
   * True if the attempt ended its job (SUCCEEDED, FAILED, DEAD, CANCELLED): the job's own record then
   * tells this attempt's end, so a store may keep it there rather than in a ledger entry of its own.
   */
  public boolean endsTheJob() {
    return this == SUCCEEDED || this == FAILED || this == DEAD || this == CANCELLED;
  }

  /**
   * The outcome of the attempt that left a job in {@code state}: its terminal state's outcome, or
   * null if {@code state} is not terminal.
   */
  public static @Nullable AttemptOutcome endingIn(dev.spindle.queue.JobState state) {
    return switch (state) {
      case SUCCEEDED -> SUCCEEDED;
      case FAILED -> FAILED;
      case DEAD -> DEAD;
      case CANCELLED -> CANCELLED;
      default -> null;
    };
  }

  /** The outcome named {@code name} (as stored), or null for null. */
  public static @Nullable AttemptOutcome parse(@Nullable String name) {
    return name == null ? null : valueOf(name);
  }
}
