package dev.spindle.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * Thrown by a task to report that the service it calls refused for now (an HTTP 429 with
 * {@code Retry-After}): the job's flow key ({@link FlowLimit}) pauses until {@code retryAfter} has
 * passed, on the store's clock, and the job waits again without using up an attempt. A job without a
 * flow key only waits itself (it is handed back and becomes ready at once, so give its task a
 * limit). Immutable.
 */
public final class RateLimitedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @serial how long the key pauses */
  private final Duration retryAfter;

  /**
   * @param retryAfter how long the key pauses, at least zero
   * @throws IllegalArgumentException if negative
   */
  public RateLimitedException(Duration retryAfter) {
    super("rate limited; retry after " + Objects.requireNonNull(retryAfter, "retryAfter"));
    if (retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
    }
    this.retryAfter = retryAfter;
  }

  /** How long the key pauses. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
