package dev.spindle.queue.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link DurableStore#record} did, decided by {@link dev.spindle.queue.DurableRules#onRecord}.
 * Immutable; thread-safe.
 *
 * @param status the decision
 * @param stored the record now in the store: the new one ({@link Status#APPLIED}) or the one that was
 *     there ({@link Status#EXISTS}); {@code null} otherwise
 * @param limit the limit that refused the record ({@link Status#LIMIT}): one of the dead reasons
 *     {@link dev.spindle.queue.DurableRules#STEP_LIMIT}, {@link
 *     dev.spindle.queue.DurableRules#STEP_RESULT_TOO_LARGE} or {@link
 *     dev.spindle.queue.DurableRules#STEP_BYTES_LIMIT}; {@code null} otherwise
 */
public record StepWrite(Status status, @Nullable StepRecord stored, @Nullable String limit) {
  /** The store's answer to a step write. */
  public enum Status {
    /** Recorded now. */
    APPLIED,
    /** A record of the same name and occurrence exists: it is returned and nothing changed. */
    EXISTS,
    /** The job is not RUNNING under the caller's worker and fence: nothing changed. */
    FENCED,
    /** A limit refuses the record: nothing changed; the job should end DEAD with the limit. */
    LIMIT
  }

  public StepWrite {
    Objects.requireNonNull(status, "status");
    if ((status == Status.APPLIED || status == Status.EXISTS) && stored == null) {
      throw new IllegalArgumentException(status + " needs the stored record");
    }
    if (status == Status.LIMIT && limit == null) {
      throw new IllegalArgumentException("LIMIT needs the limit's name");
    }
  }

  /** Recorded now. */
  public static StepWrite applied(StepRecord stored) {
    return new StepWrite(Status.APPLIED, stored, null);
  }

  /** Already recorded: the stored record. */
  public static StepWrite exists(StepRecord stored) {
    return new StepWrite(Status.EXISTS, stored, null);
  }

  /** Fenced off. */
  public static StepWrite fenced() {
    return new StepWrite(Status.FENCED, null, null);
  }

  /** Refused by {@code limit}. */
  public static StepWrite limit(String limit) {
    return new StepWrite(Status.LIMIT, null, limit);
  }
}
