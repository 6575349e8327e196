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

  /** The outcome named {@code name} (as stored), or null for null. */
  public static @Nullable AttemptOutcome parse(@Nullable String name) {
    return name == null ? null : valueOf(name);
  }
}
