package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A memoized task result ({@link DurableStore#cached}): the result JSON of an earlier call of the
 * same task with the same arguments, kept until {@code expiresAt}. Immutable; thread-safe.
 *
 * @param key the call's key: the task's name and a digest of its arguments
 * @param resultJson the result as the job stored it
 * @param jobId the job that produced it
 * @param expiresAt when it stops being served, on the store's clock
 */
public record CachedResult(String key, String resultJson, String jobId, Instant expiresAt) {
  public CachedResult {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(resultJson, "resultJson");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
