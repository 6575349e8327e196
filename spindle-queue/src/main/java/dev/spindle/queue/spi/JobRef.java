package dev.spindle.queue.spi;

import java.util.Objects;

/**
 * A job named by its id or by its unique key, for calls that accept either ({@link
 * DurableStore#signal}). Immutable; thread-safe.
 *
 * @param value the id or the unique key
 * @param byUniqueKey true if {@code value} is a unique key
 */
public record JobRef(String value, boolean byUniqueKey) {
  public JobRef {
    Objects.requireNonNull(value, "value");
  }

  /** The job with this id. */
  public static JobRef id(String jobId) {
    return new JobRef(jobId, false);
  }

  /** The job holding this unique key. */
  public static JobRef uniqueKey(String key) {
    return new JobRef(key, true);
  }

  @Override
  public String toString() {
    return byUniqueKey ? "unique key '" + value + "'" : "job " + value;
  }
}
