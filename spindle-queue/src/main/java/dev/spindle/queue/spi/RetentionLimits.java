package dev.spindle.queue.spi;

/**
 * Bounds on kept finished jobs, applied by {@link JobStore#purgeExpired} on top of each job's TTL:
 * beyond the limit, the oldest finished jobs of that kind are deleted first. Immutable.
 *
 * @param maxSucceeded SUCCEEDED and CANCELLED jobs kept at most (default 100,000)
 * @param maxFailed FAILED and DEAD jobs kept at most (default 100,000)
 * @param batch the most jobs one call deletes, so a purge never holds the store for long (default 5,000)
 */
public record RetentionLimits(long maxSucceeded, long maxFailed, int batch) {
  private static final RetentionLimits DEFAULTS = new RetentionLimits(100_000, 100_000, 5_000);

  public RetentionLimits {
    if (maxSucceeded < 0 || maxFailed < 0 || batch < 1) {
      throw new IllegalArgumentException("retention limits must be >= 0 and batch >= 1: " + maxSucceeded + ", "
          + maxFailed + ", " + batch);
    }
  }

  /** 100,000 of each kind, 5,000 per purge. */
  public static RetentionLimits defaults() {
    return DEFAULTS;
  }
}
