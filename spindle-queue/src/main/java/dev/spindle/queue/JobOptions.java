package dev.spindle.queue;

import dev.spindle.queue.internal.Names;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Per-job options of an enqueue: where it goes, when it may run, how it is deduplicated, retried,
 * timed out and kept. Immutable and thread-safe; build with {@link #builder()}.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th></tr>
 *   <tr><td>{@link #queue()}</td><td>{@code "default"}</td></tr>
 *   <tr><td>{@link #priority()}</td><td>0; higher runs first within a queue, FIFO among equals</td></tr>
 *   <tr><td>{@link #runAt()} / {@link #delay()}</td><td>none: runs as soon as a worker is free</td></tr>
 *   <tr><td>{@link #uniqueKey()}</td><td>none; with a key, enqueueing again returns the existing job</td></tr>
 *   <tr><td>{@link #policy()}</td><td>{@link JobPolicy#defaults()}: no timeout, 3 attempts, K = 3, TTLs 1 d / 7 d</td></tr>
 * </table>
 */
public final class JobOptions {
  /** The queue used when none is given. */
  public static final String DEFAULT_QUEUE = "default";
  /**
   * The horizon: how far ahead of the enqueue a job may be scheduled (36,525 days, about 100
   * years). Longer delays and later run times are refused at enqueue, so that no stored time can
   * overflow the time arithmetic of a worker or a store.
   */
  public static final Duration MAX_AHEAD = dev.spindle.queue.internal.Durations.MAX_AHEAD;
  private static final JobOptions DEFAULTS = builder().build();

  private final String queue;
  private final int priority;
  private final @Nullable Instant runAt;
  private final @Nullable Duration delay;
  private final @Nullable String uniqueKey;
  private final JobPolicy policy;
  private final @Nullable FlowLimit flow;

  private JobOptions(Builder b) {
    this.flow = b.flow;
    this.queue = b.queue;
    this.priority = b.priority;
    this.runAt = b.runAt;
    this.delay = b.delay;
    this.uniqueKey = b.uniqueKey;
    this.policy = b.policy;
  }

  /** Queue "default", priority 0, no delay, no unique key, default policy. */
  public static JobOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.queue = queue;
    b.priority = priority;
    b.runAt = runAt;
    b.delay = delay;
    b.uniqueKey = uniqueKey;
    b.policy = policy;
    b.flow = flow;
    return b;
  }

  /** The flow limit the job is keyed and limited by ({@link FlowLimit}), or {@code null} for none. */
  public @Nullable FlowLimit flow() {
    return flow;
  }

  /** The queue name. */
  public String queue() {
    return queue;
  }

  /** The priority: higher first. */
  public int priority() {
    return priority;
  }

  /** The earliest run time, or {@code null}. */
  public @Nullable Instant runAt() {
    return runAt;
  }

  /** The delay counted from the enqueue, or {@code null}. */
  public @Nullable Duration delay() {
    return delay;
  }

  /** The idempotency key, or {@code null}. */
  public @Nullable String uniqueKey() {
    return uniqueKey;
  }

  /** Execution and retention rules. */
  public JobPolicy policy() {
    return policy;
  }

  /**
   * The time the job may first run, given the enqueue time: runAt, now + delay, or now.
   *
   * @throws IllegalArgumentException if that is more than {@link #MAX_AHEAD} after {@code now}
   */
  public Instant effectiveRunAt(Instant now) {
    if (runAt != null) {
      if (runAt.isAfter(now) && Duration.between(now, runAt).compareTo(MAX_AHEAD) > 0) {
        throw new IllegalArgumentException("run time " + runAt + " is too far ahead: at most " + MAX_AHEAD.toDays()
            + " days (about 100 years, JobOptions.MAX_AHEAD) after the enqueue are allowed");
      }
      return runAt;
    }
    return delay != null ? now.plus(delay) : now;
  }

  /**
   * Checks a queue name: 1-100 characters of letters, digits and {@code . _ : -}.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static String validateQueue(String queue) {
    Objects.requireNonNull(queue, "queue");
    if (!Names.isName(queue, 100, ":-._")) {
      throw new IllegalArgumentException("invalid queue name '" + dev.spindle.spi.Echo.of(queue)
          + "': use 1-100 characters of letters, digits and . _ : -");
    }
    return queue;
  }

  @Override
  public String toString() {
    return "JobOptions{queue=" + queue + ", priority=" + priority + (runAt != null ? ", runAt=" + runAt : "")
        + (delay != null ? ", delay=" + delay : "") + (uniqueKey != null ? ", uniqueKey=" + uniqueKey : "")
        + ", policy=" + policy + (flow != null ? ", flow=" + flow : "") + "}";
  }

  /** Validates each option as it is given. Not thread-safe. */
  public static final class Builder {
    private String queue = DEFAULT_QUEUE;
    private int priority;
    private @Nullable Instant runAt;
    private @Nullable Duration delay;
    private @Nullable String uniqueKey;
    private JobPolicy policy = JobPolicy.defaults();
    private @Nullable FlowLimit flow;

    private Builder() {}

    /**
     * Keys and limits the job by a {@link FlowLimit}, checked by the store inside its claim. The
     * first job that names a limit stores it; a stored limit of the same name (changed at run time)
     * wins over this definition.
     */
    public Builder flow(FlowLimit limit) {
      this.flow = Objects.requireNonNull(limit, "limit");
      return this;
    }

    /** @throws IllegalArgumentException if not a valid queue name */
    public Builder queue(String queue) {
      this.queue = validateQueue(queue);
      return this;
    }

    /** @throws IllegalArgumentException if outside ±1,000,000 */
    public Builder priority(int priority) {
      if (priority < -1_000_000 || priority > 1_000_000) {
        throw new IllegalArgumentException("priority must be within ±1,000,000: " + priority);
      }
      this.priority = priority;
      return this;
    }

    /**
     * Runs the job at or after this instant; clears {@link #delay}. An instant more than
     * {@link #MAX_AHEAD} after the enqueue is refused by the enqueue.
     */
    public Builder runAt(Instant runAt) {
      this.runAt = Objects.requireNonNull(runAt, "runAt");
      this.delay = null;
      return this;
    }

    /**
     * Runs the job once this delay after the enqueue has passed; clears {@link #runAt}.
     *
     * @throws IllegalArgumentException if negative or longer than {@link #MAX_AHEAD}
     */
    public Builder delay(Duration delay) {
      if (Objects.requireNonNull(delay, "delay").isNegative()) {
        throw new IllegalArgumentException("delay must not be negative: " + delay);
      }
      if (delay.compareTo(MAX_AHEAD) > 0) {
        throw new IllegalArgumentException("delay " + delay.toDays() + " days is too long: at most " + MAX_AHEAD.toDays()
            + " days (about 100 years, JobOptions.MAX_AHEAD) are allowed");
      }
      this.delay = delay;
      this.runAt = null;
      return this;
    }

    /**
     * Sets the idempotency key: while a job with this key is in the store (until retention removes
     * it), enqueueing again returns that job instead of adding one.
     *
     * @throws IllegalArgumentException if blank or longer than 500 characters
     */
    public Builder uniqueKey(String uniqueKey) {
      Objects.requireNonNull(uniqueKey, "uniqueKey");
      if (uniqueKey.isBlank() || uniqueKey.length() > 500) {
        throw new IllegalArgumentException("uniqueKey must be 1-500 characters and not blank");
      }
      this.uniqueKey = uniqueKey;
      return this;
    }

    /** Sets all execution and retention rules at once. */
    public Builder policy(JobPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Sets the execution timeout (see {@link JobPolicy#timeout()}). */
    public Builder timeout(Duration timeout) {
      this.policy = policy.withTimeout(Objects.requireNonNull(timeout, "timeout"));
      return this;
    }

    /** Sets the retry rules. */
    public Builder retry(RetryPolicy retry) {
      this.policy = policy.withRetry(retry);
      return this;
    }

    /** Sets the number of executions whose worker may die before the job is dead-lettered. */
    public Builder maxWorkerLost(int maxWorkerLost) {
      this.policy = policy.withMaxWorkerLost(maxWorkerLost);
      return this;
    }

    /**
     * Sets how long finished jobs are kept: successes and cancellations, failures and dead jobs. A
     * zero {@code resultTtl} keeps no successes (see {@link JobPolicy#resultTtl()}).
     *
     * @throws IllegalArgumentException if a TTL is negative or the failure TTL is zero
     */
    public Builder retention(Duration resultTtl, Duration failureTtl) {
      this.policy = policy.withTtls(resultTtl, failureTtl);
      return this;
    }

    /** The immutable options. */
    public JobOptions build() {
      return new JobOptions(this);
    }
  }
}
