package dev.spindle.retry;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Retry} built with {@link GiveUp#EXHAUSTED_EXCEPTION} stopped (attempts or time used up)
 * while the last attempt still asked for a retry. The cause is the last attempt's exception, if it
 * threw. The message names the attempts, the elapsed time and the last exception's type, never a
 * result's value.
 */
public final class RetryExhaustedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient @Nullable Attempt last;
  private final int attempts;

  /** @param last the last attempt */
  public RetryExhaustedException(Attempt last) {
    super("gave up after " + last.number() + " attempt" + (last.number() == 1 ? "" : "s") + " in "
        + last.elapsed().toMillis() + " ms: the last one " + last.describe(), last.failure());
    this.last = last;
    this.attempts = last.number();
  }

  /** How many attempts were made. */
  public int attempts() {
    return attempts;
  }

  /** The last attempt (its result or failure); {@code null} only after Java deserialization. */
  public @Nullable Attempt lastAttempt() {
    return last;
  }
}
