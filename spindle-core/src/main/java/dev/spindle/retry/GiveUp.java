package dev.spindle.retry;

/** What a {@link Retry} does when it stops while the last attempt still asked for a retry. */
public enum GiveUp {
  /** Rethrows the last attempt's exception, or returns its result (the default). */
  LAST_OUTCOME,
  /** Throws a {@link RetryExhaustedException} with the attempts and the last outcome. */
  EXHAUSTED_EXCEPTION
}
