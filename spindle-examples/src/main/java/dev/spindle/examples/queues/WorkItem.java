package dev.spindle.examples.queues;

import java.util.Objects;

/**
 * A message on the job queue: a number to check, or the poison pill that tells one consumer to
 * stop. The pill is a value (a {@link Kind}), not an identity: it survives the JSON trip to another
 * process, unlike Python's {@code object()} sentinel (seed-spec E6). Immutable.
 *
 * @param kind job or pill
 * @param n the number (0 for a pill)
 */
public record WorkItem(Kind kind, long n) {
  /** What the message is. */
  public enum Kind {
    /** Work: check {@code n}. */
    JOB,
    /** Stop: the consumer that takes it acknowledges and exits. */
    PILL
  }

  public WorkItem {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.PILL && n != 0) {
      throw new IllegalArgumentException("a poison pill carries no number");
    }
  }

  /** A job for {@code n}. */
  public static WorkItem job(long n) {
    return new WorkItem(Kind.JOB, n);
  }

  /** The poison pill. */
  public static WorkItem pill() {
    return new WorkItem(Kind.PILL, 0);
  }

  /** True for the poison pill. */
  public boolean isPill() {
    return kind == Kind.PILL;
  }
}
