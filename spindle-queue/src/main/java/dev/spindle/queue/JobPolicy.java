package dev.spindle.queue;

import dev.spindle.queue.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a job is executed and kept, persisted with the job so that every worker applies the same
 * rules. Immutable.
 *
 * @param timeout how long one execution may run before it is stopped (interrupted; a process worker
 *     is killed) and counted as a failure; {@code null} for no limit
 * @param retry the retry rules
 * @param maxWorkerLost after this many executions whose worker died (lease expired), the job is
 *     dead-lettered with reason {@code worker_lost}; default 3
 * @param resultTtl how long a SUCCEEDED or CANCELLED job and its result are kept; default 1 day. Zero
 *     keeps none, as Sidekiq, BullMQ's {@code removeOnComplete} and db-scheduler do: such a job is
 *     removed when it finishes (the PostgreSQL store deletes a success in its completing statement)
 *     or at the store's next retention pass, and waiting for it ends with
 *     {@link JobNotFoundException} once it is gone
 * @param failureTtl how long a FAILED or DEAD job is kept in the registry; default 7 days
 */
public record JobPolicy(@Nullable Duration timeout, RetryPolicy retry, int maxWorkerLost, Duration resultTtl,
    Duration failureTtl) {
  /** The default K of lost-worker strikes. */
  public static final int DEFAULT_MAX_WORKER_LOST = 3;
  private static final JobPolicy DEFAULTS = new JobPolicy(null, RetryPolicy.defaults(),
      DEFAULT_MAX_WORKER_LOST, Duration.ofDays(1), Duration.ofDays(7));

  /**
   * @throws IllegalArgumentException if the timeout is not positive, maxWorkerLost is below 1, a
   *     TTL is negative, the failure TTL is zero, or the timeout or a TTL exceeds {@link JobOptions#MAX_AHEAD}
   */
  public JobPolicy {
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(resultTtl, "resultTtl");
    Objects.requireNonNull(failureTtl, "failureTtl");
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    Duration max = Durations.MAX_AHEAD;
    if ((timeout != null && timeout.compareTo(max) > 0) || resultTtl.compareTo(max) > 0
        || failureTtl.compareTo(max) > 0) {
      throw new IllegalArgumentException("timeout and TTLs must be at most " + max.toDays()
          + " days (about 100 years, JobOptions.MAX_AHEAD)");
    }
    if (maxWorkerLost < 1 || maxWorkerLost > 1000) {
      throw new IllegalArgumentException("maxWorkerLost must be in 1..1000: " + maxWorkerLost);
    }
    if (resultTtl.isNegative() || failureTtl.isNegative() || failureTtl.isZero()) {
      throw new IllegalArgumentException("resultTtl must be >= 0 and failureTtl positive (failed jobs are kept for"
          + " inspection and replay): resultTtl=" + resultTtl + ", failureTtl=" + failureTtl);
    }
  }

  /** No timeout, {@link RetryPolicy#defaults()}, K = 3, results 1 day, failures 7 days. */
  public static JobPolicy defaults() {
    return DEFAULTS;
  }

  /** A copy with another timeout ({@code null} for none). */
  public JobPolicy withTimeout(@Nullable Duration timeout) {
    return new JobPolicy(timeout, retry, maxWorkerLost, resultTtl, failureTtl);
  }

  /** A copy with another retry policy. */
  public JobPolicy withRetry(RetryPolicy retry) {
    return new JobPolicy(timeout, retry, maxWorkerLost, resultTtl, failureTtl);
  }

  /** A copy with another K. */
  public JobPolicy withMaxWorkerLost(int maxWorkerLost) {
    return new JobPolicy(timeout, retry, maxWorkerLost, resultTtl, failureTtl);
  }

  /** A copy with other TTLs. */
  public JobPolicy withTtls(Duration resultTtl, Duration failureTtl) {
    return new JobPolicy(timeout, retry, maxWorkerLost, resultTtl, failureTtl);
  }

  /** The policy as compact JSON, as stores persist it. */
  public String toJson() {
    return dev.spindle.spi.JsonCodec.defaults().toJson(new Dto(timeout == null ? null : timeout.toMillis(),
        retry.toJson(), maxWorkerLost, resultTtl.toMillis(), failureTtl.toMillis()), "job policy");
  }

  /**
   * Reads {@link #toJson()} output.
   *
   * @throws dev.spindle.PayloadException if malformed
   * @throws IllegalArgumentException if a value is out of range
   */
  public static JobPolicy fromJson(String json) {
    Dto d = dev.spindle.spi.JsonCodec.defaults().fromJson(json, Dto.class, "job policy");
    return new JobPolicy(d.timeoutMs() == null ? null : Duration.ofMillis(d.timeoutMs()),
        RetryPolicy.fromJson(d.retry()), d.maxWorkerLost(), Duration.ofMillis(d.resultTtlMs()),
        Duration.ofMillis(d.failureTtlMs()));
  }

  record Dto(@Nullable Long timeoutMs, String retry, int maxWorkerLost, long resultTtlMs, long failureTtlMs) {}

  /** The TTL that applies once a job reaches the terminal {@code state}. */
  public Duration ttlFor(JobState state) {
    return state.isTerminal() ? JobRules.keptAs(state).ttl(this) : resultTtl;
  }
}
