package dev.spindle.spi;

/**
 * The one meaning of retry jitter, shared by every retry policy in Spindle (the queue's
 * {@code RetryPolicy}, the thumbnails downloader's): a jitter {@code j} in [0, 1) spreads a wait
 * {@code d} uniformly over [d(1-j), d(1+j)], then caps it at the policy's longest wait. So the
 * average wait is {@code d} (before the cap), and clients that failed together do not retry in
 * step. Stateless; thread-safe.
 */
public final class Jitter {
  private Jitter() {}

  /**
   * Checks a jitter fraction.
   *
   * @return {@code jitter}
   * @throws IllegalArgumentException unless it is in [0, 1)
   */
  public static double check(double jitter) {
    if (!(jitter >= 0 && jitter < 1)) {
      throw new IllegalArgumentException("jitter must be in [0, 1) (a wait d becomes uniform in"
          + " [d(1-jitter), d(1+jitter)]): " + jitter);
    }
    return jitter;
  }

  /**
   * Spreads a wait.
   *
   * @param wait the wait before jitter, in any unit, {@code >= 0}
   * @param jitter the fraction, in [0, 1)
   * @param random a uniform value in [0, 1)
   * @param cap the longest wait, in the unit of {@code wait}
   * @return {@code wait × (1 + jitter × (2·random − 1))}, within [0, cap]
   */
  public static double apply(double wait, double jitter, double random, double cap) {
    double spread = wait * jitter * (2 * random - 1);
    return Math.min(cap, Math.max(0, wait + spread));
  }
}
