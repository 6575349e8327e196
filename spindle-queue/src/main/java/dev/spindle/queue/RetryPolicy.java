package dev.spindle.queue;

import dev.spindle.queue.internal.Durations;
import dev.spindle.retry.Attempt;
import dev.spindle.retry.Wait;
import dev.spindle.spi.Jitter;
import dev.spindle.spi.JsonCodec;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a failed job is retried: how many attempts, how long to wait between them (exponential
 * backoff with jitter), and which exceptions are retried or given up on. Persisted with the job,
 * so whichever worker runs the next attempt applies the same rules. Immutable and thread-safe.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link #maxAttempts()}</td><td>3</td><td>executions that may fail before the job is FAILED (1 = no retry)</td></tr>
 *   <tr><td>{@link #initialDelay()}</td><td>1 s</td><td>wait before the first retry</td></tr>
 *   <tr><td>{@link #multiplier()}</td><td>2.0</td><td>each further wait is this many times longer</td></tr>
 *   <tr><td>{@link #maxDelay()}</td><td>10 min</td><td>cap of one wait</td></tr>
 *   <tr><td>{@link #jitter()}</td><td>0.2</td><td>each wait is spread uniformly by ± this fraction</td></tr>
 *   <tr><td>{@link #retryOn()}</td><td>empty = every exception</td><td>only these exception types are retried</td></tr>
 *   <tr><td>{@link #giveUpOn()}</td><td>empty</td><td>these exception types fail the job at once</td></tr>
 * </table>
 *
 * <p>Exception types are matched by fully qualified class name against the thrown exception's class
 * and all of its superclasses and interfaces (for a task run in another JVM, the remote exception's
 * type). {@code giveUpOn} wins over {@code retryOn}. A job timeout counts as a failure with type
 * {@link dev.spindle.TaskTimeoutException}.
 */
public final class RetryPolicy {
  private static final RetryPolicy DEFAULTS = builder().build();
  private static final RetryPolicy NONE = builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final Duration initialDelay;
  private final double multiplier;
  private final Duration maxDelay;
  private final double jitter;
  private final List<String> retryOn;
  private final List<String> giveUpOn;
  private final Wait wait;
  /** {@link #hashCode()}, computed on first use (0 until then). */
  private int hash;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialDelay = b.initialDelay;
    this.multiplier = b.multiplier;
    this.maxDelay = b.maxDelay;
    this.jitter = b.jitter;
    this.retryOn = List.copyOf(b.retryOn);
    this.giveUpOn = List.copyOf(b.giveUpOn);
    this.wait = Wait.exponential(initialDelay, multiplier, maxDelay).withJitter(jitter).atMost(maxDelay);
  }

  /** Three attempts, 1 s doubling up to 10 min, ±20% jitter, every exception retried. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** One attempt: a failure fails the job. */
  public static RetryPolicy none() {
    return NONE;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this policy's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxAttempts = maxAttempts;
    b.initialDelay = initialDelay;
    b.multiplier = multiplier;
    b.maxDelay = maxDelay;
    b.jitter = jitter;
    b.retryOn.addAll(retryOn);
    b.giveUpOn.addAll(giveUpOn);
    return b;
  }

  /** Executions that may fail before the job is FAILED; 1 means no retry. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The wait before the first retry. */
  public Duration initialDelay() {
    return initialDelay;
  }

  /** The growth factor of successive waits (1.0 = fixed delay). */
  public double multiplier() {
    return multiplier;
  }

  /** The longest single wait. */
  public Duration maxDelay() {
    return maxDelay;
  }

  /**
   * The jitter fraction in [0, 1): a wait d becomes uniform in [d(1-j), d(1+j)], capped at maxDelay
   * (the one meaning of jitter in Spindle, {@link Jitter}).
   */
  public double jitter() {
    return jitter;
  }

  /** Exception class names that are retried; empty means every exception. */
  public List<String> retryOn() {
    return retryOn;
  }

  /** Exception class names that fail the job at once. */
  public List<String> giveUpOn() {
    return giveUpOn;
  }

  /**
   * Decides whether a job that has now failed {@code failures} times (counting this one) gets
   * another attempt.
   *
   * @param errorTypes the failing exception's class name and the names of its superclasses and
   *     interfaces
   */
  public boolean shouldRetry(int failures, Set<String> errorTypes) {
    if (failures >= maxAttempts) {
      return false;
    }
    for (String t : giveUpOn) {
      if (errorTypes.contains(t)) {
        return false;
      }
    }
    if (retryOn.isEmpty()) {
      return true;
    }
    for (String t : retryOn) {
      if (errorTypes.contains(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The backoff as a general {@link Wait} (the same strategies as {@link dev.spindle.retry.Retry}):
   * {@code initialDelay × multiplier^(n−1)} after failure n, capped at {@code maxDelay}, spread by
   * the jitter, capped again.
   */
  public Wait backoffWait() {
    return wait;
  }

  /**
   * The wait before the retry that follows failure number {@code failures} (1-based), in whole
   * milliseconds (as stores keep run times).
   *
   * @param random a uniform value in [0, 1) used for the jitter
   */
  public Duration backoff(int failures, double random) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be >= 1: " + failures);
    }
    Duration d = wait.next(new Attempt(failures, Duration.ZERO, null, null), () -> random);
    return Duration.ofMillis(Math.round(d.toNanos() / 1e6));
  }

  /** The policy as compact JSON, as stores persist it with the job. */
  public String toJson() {
    return JsonCodec.defaults().toJson(new Dto(maxAttempts, initialDelay.toMillis(), multiplier,
        maxDelay.toMillis(), jitter, retryOn, giveUpOn), "retry policy");
  }

  /**
   * Reads a policy written by {@link #toJson()}.
   *
   * @throws dev.spindle.PayloadException if the JSON is malformed
   * @throws IllegalArgumentException if a value is out of range
   */
  public static RetryPolicy fromJson(String json) {
    Dto d = JsonCodec.defaults().fromJson(json, Dto.class, "retry policy");
    Builder b = builder().maxAttempts(d.maxAttempts()).initialDelay(Duration.ofMillis(d.initialDelayMs()))
        .multiplier(d.multiplier()).maxDelay(Duration.ofMillis(d.maxDelayMs())).jitter(d.jitter());
    if (d.retryOn() != null) {
      b.retryOn.addAll(d.retryOn());
    }
    if (d.giveUpOn() != null) {
      b.giveUpOn.addAll(d.giveUpOn());
    }
    return b.build();
  }

  record Dto(int maxAttempts, long initialDelayMs, double multiplier, long maxDelayMs, double jitter,
      List<String> retryOn, List<String> giveUpOn) {}

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryPolicy p && maxAttempts == p.maxAttempts && initialDelay.equals(p.initialDelay)
        && multiplier == p.multiplier && maxDelay.equals(p.maxDelay) && jitter == p.jitter
        && retryOn.equals(p.retryOn) && giveUpOn.equals(p.giveUpOn);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) { // racy but idempotent, as String's: a policy is a map key on every enqueue
      h = Objects.hash(maxAttempts, initialDelay, multiplier, maxDelay, jitter, retryOn, giveUpOn);
      hash = h;
    }
    return h;
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts=" + maxAttempts + ", initialDelay=" + initialDelay + ", multiplier="
        + multiplier + ", maxDelay=" + maxDelay + ", jitter=" + jitter + ", retryOn=" + retryOn
        + ", giveUpOn=" + giveUpOn + "}";
  }

  /** Validates each setting as it is given. Not thread-safe. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration initialDelay = Duration.ofSeconds(1);
    private double multiplier = 2.0;
    private Duration maxDelay = Duration.ofMinutes(10);
    private double jitter = 0.2;
    private final Set<String> retryOn = new LinkedHashSet<>();
    private final Set<String> giveUpOn = new LinkedHashSet<>();

    private Builder() {}

    /**
     * @throws IllegalArgumentException if below 1 or above 1000
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 1000) {
        throw new IllegalArgumentException("maxAttempts must be in 1..1000: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * @throws IllegalArgumentException if negative
     */
    public Builder initialDelay(Duration initialDelay) {
      if (Objects.requireNonNull(initialDelay, "initialDelay").isNegative()) {
        throw new IllegalArgumentException("initialDelay must not be negative: " + initialDelay);
      }
      if (initialDelay.compareTo(Durations.MAX_AHEAD) > 0) {
        throw new IllegalArgumentException("initialDelay must be at most " + Durations.MAX_AHEAD.toDays()
            + " days");
      }
      this.initialDelay = initialDelay;
      return this;
    }

    /**
     * @throws IllegalArgumentException if below 1.0 or above 100
     */
    public Builder multiplier(double multiplier) {
      if (!(multiplier >= 1.0 && multiplier <= 100)) {
        throw new IllegalArgumentException("multiplier must be in [1, 100]: " + multiplier);
      }
      this.multiplier = multiplier;
      return this;
    }

    /**
     * @throws IllegalArgumentException if negative
     */
    public Builder maxDelay(Duration maxDelay) {
      if (Objects.requireNonNull(maxDelay, "maxDelay").isNegative()) {
        throw new IllegalArgumentException("maxDelay must not be negative: " + maxDelay);
      }
      if (maxDelay.compareTo(Durations.MAX_AHEAD) > 0) {
        throw new IllegalArgumentException("maxDelay must be at most " + Durations.MAX_AHEAD.toDays()
            + " days");
      }
      this.maxDelay = maxDelay;
      return this;
    }

    /**
     * @throws IllegalArgumentException if outside [0, 1)
     */
    public Builder jitter(double jitter) {
      this.jitter = Jitter.check(jitter);
      return this;
    }

    /** Retries only these exception types (and their subtypes); others fail the job. */
    @SafeVarargs
    public final Builder retryOn(Class<? extends Throwable>... types) {
      for (Class<? extends Throwable> t : types) {
        retryOn.add(t.getName());
      }
      return this;
    }

    /** {@link #retryOn(Class[])} by fully qualified class name (for types not on this classpath). */
    public Builder retryOnNames(Collection<String> typeNames) {
      typeNames.forEach(n -> retryOn.add(requireTypeName(n)));
      return this;
    }

    /** Fails the job at once on these exception types (and their subtypes). */
    @SafeVarargs
    public final Builder giveUpOn(Class<? extends Throwable>... types) {
      for (Class<? extends Throwable> t : types) {
        giveUpOn.add(t.getName());
      }
      return this;
    }

    /** {@link #giveUpOn(Class[])} by fully qualified class name. */
    public Builder giveUpOnNames(Collection<String> typeNames) {
      typeNames.forEach(n -> giveUpOn.add(requireTypeName(n)));
      return this;
    }

    private static String requireTypeName(String n) {
      if (n == null || !n.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
        throw new IllegalArgumentException("not a Java class name: '" + n + "'");
      }
      return n;
    }

    /**
     * @throws IllegalArgumentException if maxDelay is shorter than initialDelay
     */
    public RetryPolicy build() {
      if (maxDelay.compareTo(initialDelay) < 0) {
        throw new IllegalArgumentException("maxDelay " + maxDelay + " is shorter than initialDelay " + initialDelay);
      }
      return new RetryPolicy(this);
    }
  }
}
