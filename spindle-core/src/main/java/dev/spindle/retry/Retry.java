package dev.spindle.retry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Retries a call: any {@link Callable} or {@link Runnable}, or an asynchronous call returning a
 * {@link CompletionStage}. Built once by {@link #builder()}, immutable, thread-safe and reusable
 * for any number of concurrent calls (each call keeps its own count and start time).
 *
 * <pre>{@code
 * Retry retry = Retry.builder()
 *     .stopAfterAttempts(5).stopAfterElapsed(Duration.ofSeconds(30))
 *     .waitBetween(Wait.exponential(Duration.ofMillis(100), 2, Duration.ofSeconds(5)).withJitter(0.2))
 *     .retryOn(IOException.class)
 *     .beforeSleep((attempt, wait) -> LOG.warn("attempt {} failed; again in {}", attempt.number(), wait))
 *     .build();
 * String page = retry.call(() -> fetch(url));
 * }</pre>
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>stop</td><td>after 3 attempts; with only {@link Builder#stopAfterElapsed} set, no attempt limit</td></tr>
 *   <tr><td>{@link Builder#waitBetween wait}</td><td>{@link #DEFAULT_WAIT}: 100 ms doubling up to 10 s, ±20% jitter</td></tr>
 *   <tr><td>what is retried</td><td>every {@link Exception} except {@link InterruptedException}, no result; once any
 *   of {@link Builder#retryOn}, {@link Builder#retryIf}, {@link Builder#retryIfResult} is given, only what they name</td></tr>
 *   <tr><td>give up</td><td>{@link GiveUp#LAST_OUTCOME}: the last exception is rethrown, or the last result returned</td></tr>
 *   <tr><td>clock, sleeper, random</td><td>{@link System#nanoTime()}, {@link Sleeper#system()}, {@link ThreadLocalRandom}</td></tr>
 * </table>
 *
 * <p>After each attempt: the after-attempt callbacks run; an attempt that returned a result the
 * result predicate does not retry, or threw an exception that is not retried, ends the call with
 * that outcome; otherwise, if a stop condition holds (this was the last attempt allowed, or the
 * elapsed time reached the limit) the call gives up, else the wait is computed (and shortened to
 * the time left before the elapsed limit), the before-sleep callbacks run and the sleeper waits.
 * A callback that throws ends the call with its exception. Elapsed time runs from the start of the
 * first attempt on the injected monotonic clock.
 */
public final class Retry {
  /** The default wait: 100 ms doubling up to 10 s, each wait spread by ±20%. */
  public static final Wait DEFAULT_WAIT =
      Wait.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10)).withJitter(0.2);

  private static final int DEFAULT_ATTEMPTS = 3;

  private final int maxAttempts;
  private final @Nullable Duration maxElapsed;
  private final Wait wait;
  private final List<Class<? extends Throwable>> retryOn;
  private final List<Class<? extends Throwable>> abortOn;
  private final @Nullable Predicate<? super Throwable> retryIf;
  private final @Nullable Predicate<@Nullable Object> retryIfResult;
  private final List<Consumer<? super Attempt>> afterAttempt;
  private final List<BiConsumer<? super Attempt, ? super Duration>> beforeSleep;
  private final GiveUp giveUp;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private final DoubleSupplier random;

  private Retry(Builder b) {
    this.maxAttempts = b.maxAttempts != null ? b.maxAttempts : b.maxElapsed != null ? Integer.MAX_VALUE : DEFAULT_ATTEMPTS;
    this.maxElapsed = b.maxElapsed;
    this.wait = b.wait;
    this.retryOn = List.copyOf(b.retryOn);
    this.abortOn = List.copyOf(b.abortOn);
    this.retryIf = b.retryIf;
    this.retryIfResult = b.retryIfResult;
    this.afterAttempt = List.copyOf(b.afterAttempt);
    this.beforeSleep = List.copyOf(b.beforeSleep);
    this.giveUp = b.giveUp;
    this.nanoTime = b.nanoTime;
    this.sleeper = b.sleeper;
    this.random = b.random;
  }

  /** A builder with the defaults above. */
  public static Builder builder() {
    return new Builder();
  }

  /** Attempts at most (stop condition); {@link Integer#MAX_VALUE} if only elapsed time stops. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The elapsed-time stop condition, if any. */
  public java.util.Optional<Duration> maxElapsed() {
    return java.util.Optional.ofNullable(maxElapsed);
  }

  /**
   * Calls {@code callable} until it succeeds, throws an exception that is not retried, or a stop
   * condition holds.
   *
   * @return the result of the last attempt
   * @throws Exception the last attempt's exception (one not retried, or at give-up with
   *     {@link GiveUp#LAST_OUTCOME})
   * @throws RetryExhaustedException at give-up with {@link GiveUp#EXHAUSTED_EXCEPTION}
   * @throws InterruptedException if interrupted while waiting (the flag is cleared, as by
   *     {@link Thread#sleep})
   */
  @SuppressWarnings("NullAway") // T may be nullable: a null result is returned as it came
  public <T extends @Nullable Object> T call(Callable<T> callable) throws Exception {
    Objects.requireNonNull(callable, "callable");
    long start = nanoTime.getAsLong();
    for (int n = 1; ; n++) {
      T result = null;
      Throwable failure = null;
      try {
        result = callable.call();
      } catch (Throwable t) {
        failure = t;
      }
      Decision d = decide(new Attempt(n, elapsedSince(start), result, failure));
      Duration pause = d.pause();
      if (pause == null) {
        return finish(d, result);
      }
      sleeper.sleep(pause);
    }
  }

  /**
   * Runs {@code runnable} as {@link #call} does.
   *
   * @throws RuntimeException the last attempt's, as {@link #call}
   * @throws RetryExhaustedException at give-up with {@link GiveUp#EXHAUSTED_EXCEPTION}
   * @throws CancellationException if interrupted while waiting (the interrupt flag is set again;
   *     the cause is the {@link InterruptedException})
   */
  public void run(Runnable runnable) {
    Objects.requireNonNull(runnable, "runnable");
    try {
      call(() -> {
        runnable.run();
        return null;
      });
    } catch (RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      CancellationException c = new CancellationException("interrupted while waiting to retry");
      c.initCause(e);
      throw c;
    } catch (Exception e) {
      throw new IllegalStateException("a Runnable threw a checked exception", e); // sneaky throws only
    }
  }

  /**
   * Retries an asynchronous call without blocking any thread: the first attempt starts on the
   * calling thread, later ones on {@code executor} once the wait has passed
   * ({@link Sleeper#after}). Suits the coroutine model (await the future with
   * {@code Async.await}) and callers that must not block. Cancelling the returned future cancels
   * the attempt in flight (its future, as returned by {@code attempt}) and starts no more. With an
   * executor that runs inline and attempts that complete at once, each attempt nests on the stack;
   * give a real executor when many such attempts are possible.
   *
   * @param attempt starts one attempt; may throw, or return a failed stage
   * @param executor runs the later attempts
   * @return completes as {@link #call} returns or throws (not wrapped in a {@code CompletionException}: the
   *     attempt's own exception, or {@link RetryExhaustedException})
   */
  public <T extends @Nullable Object> CompletableFuture<T> callAsync(
      Supplier<? extends CompletionStage<T>> attempt, Executor executor) {
    Objects.requireNonNull(attempt, "attempt");
    Objects.requireNonNull(executor, "executor");
    return new AsyncCall<>(this, attempt, executor).start();
  }

  /** What follows an attempt: wait then retry ({@code pause != null}), or end with its outcome. */
  record Decision(Attempt attempt, @Nullable Duration pause, boolean exhausted) {}

  Decision decide(Attempt a) {
    for (Consumer<? super Attempt> c : afterAttempt) {
      c.accept(a);
    }
    if (!retries(a)) {
      return new Decision(a, null, false);
    }
    if (a.number() >= maxAttempts || (maxElapsed != null && a.elapsed().compareTo(maxElapsed) >= 0)) {
      return new Decision(a, null, giveUp == GiveUp.EXHAUSTED_EXCEPTION);
    }
    Duration w = Objects.requireNonNull(wait.next(a, random), "a Wait returned null");
    if (w.isNegative()) {
      w = Duration.ZERO;
    }
    if (maxElapsed != null) {
      Duration left = maxElapsed.minus(a.elapsed());
      w = w.compareTo(left) > 0 ? left : w;
    }
    for (BiConsumer<? super Attempt, ? super Duration> c : beforeSleep) {
      c.accept(a, w);
    }
    return new Decision(a, w, false);
  }

  /** Returns the attempt's result or throws its failure (or the exhausted exception). */
  @SuppressWarnings("NullAway") // T may be nullable
  static <T extends @Nullable Object> T finish(Decision d, T result) throws Exception {
    if (d.exhausted()) {
      throw new RetryExhaustedException(d.attempt());
    }
    Throwable f = d.attempt().failure();
    if (f == null) {
      return result;
    }
    if (f instanceof Exception e) {
      throw e;
    }
    if (f instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException("the call threw a Throwable that is neither Exception nor Error", f);
  }

  private boolean retries(Attempt a) {
    Throwable f = a.failure();
    if (f == null) {
      return retryIfResult != null && retryIfResult.test(a.result());
    }
    if (f instanceof InterruptedException || isAny(f, abortOn)) {
      return false;
    }
    if (retryOn.isEmpty() && retryIf == null && retryIfResult == null) {
      return f instanceof Exception;
    }
    return isAny(f, retryOn) || (retryIf != null && retryIf.test(f));
  }

  private static boolean isAny(Throwable t, List<Class<? extends Throwable>> types) {
    for (Class<? extends Throwable> c : types) {
      if (c.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  Duration elapsedSince(long start) {
    return Duration.ofNanos(Math.max(0, nanoTime.getAsLong() - start));
  }

  long now() {
    return nanoTime.getAsLong();
  }

  Sleeper sleeper() {
    return sleeper;
  }

  @Override
  public String toString() {
    return "Retry{maxAttempts=" + (maxAttempts == Integer.MAX_VALUE ? "unlimited" : maxAttempts) + ", maxElapsed="
        + maxElapsed + ", retryOn=" + retryOn + ", abortOn=" + abortOn + ", giveUp=" + giveUp + "}";
  }

  /** Validates each setting as it is given; {@link #build()} makes an immutable {@link Retry}. Not thread-safe. */
  public static final class Builder {
    private @Nullable Integer maxAttempts;
    private @Nullable Duration maxElapsed;
    private Wait wait = DEFAULT_WAIT;
    private final List<Class<? extends Throwable>> retryOn = new ArrayList<>();
    private final List<Class<? extends Throwable>> abortOn = new ArrayList<>();
    private @Nullable Predicate<? super Throwable> retryIf;
    private @Nullable Predicate<@Nullable Object> retryIfResult;
    private final List<Consumer<? super Attempt>> afterAttempt = new ArrayList<>();
    private final List<BiConsumer<? super Attempt, ? super Duration>> beforeSleep = new ArrayList<>();
    private GiveUp giveUp = GiveUp.LAST_OUTCOME;
    private LongSupplier nanoTime = System::nanoTime;
    private Sleeper sleeper = Sleeper.system();
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

    private Builder() {}

    /**
     * Stops after {@code attempts} attempts in all (1 = no retry); with
     * {@link #stopAfterElapsed}, whichever comes first.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder stopAfterAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("attempts must be >= 1: " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * Stops once {@code limit} has passed since the first attempt started: no attempt starts after
     * it (a wait is shortened to the time left, so the last attempt may start right at the limit).
     * Without {@link #stopAfterAttempts}, the number of attempts is then unlimited.
     *
     * @throws IllegalArgumentException if not positive or longer than {@link Wait#LONGEST}
     */
    public Builder stopAfterElapsed(Duration limit) {
      Objects.requireNonNull(limit, "limit");
      if (!limit.isPositive() || limit.compareTo(Wait.LONGEST) > 0) {
        throw new IllegalArgumentException("elapsed limit must be positive and at most " + Wait.LONGEST.toDays()
            + " days: " + limit);
      }
      this.maxElapsed = limit;
      return this;
    }

    /** The wait between attempts; default {@link #DEFAULT_WAIT}. */
    public Builder waitBetween(Wait wait) {
      this.wait = Objects.requireNonNull(wait, "wait");
      return this;
    }

    /**
     * Retries exceptions of these types and their subtypes (added to any given before). Once any
     * type or {@link #retryIf} is given, other exceptions are not retried.
     */
    @SafeVarargs
    public final Builder retryOn(Class<? extends Throwable>... types) {
      for (Class<? extends Throwable> t : types) {
        retryOn.add(Objects.requireNonNull(t, "type"));
      }
      return this;
    }

    /** Also retries exceptions that {@code predicate} accepts. */
    public Builder retryIf(Predicate<? super Throwable> predicate) {
      Objects.requireNonNull(predicate, "predicate");
      Predicate<? super Throwable> before = retryIf;
      this.retryIf = before == null ? predicate : t -> before.test(t) || predicate.test(t);
      return this;
    }

    /** Never retries exceptions of these types and their subtypes; wins over {@link #retryOn}. */
    @SafeVarargs
    public final Builder abortOn(Class<? extends Throwable>... types) {
      for (Class<? extends Throwable> t : types) {
        abortOn.add(Objects.requireNonNull(t, "type"));
      }
      return this;
    }

    /**
     * Retries an attempt that returned a result {@code predicate} accepts (it sees the result of
     * whatever type the call returns, and {@code null}). Exceptions are then retried only if
     * {@link #retryOn} or {@link #retryIf} name them.
     */
    public Builder retryIfResult(Predicate<@Nullable Object> predicate) {
      Objects.requireNonNull(predicate, "predicate");
      Predicate<@Nullable Object> before = retryIfResult;
      this.retryIfResult = before == null ? predicate : r -> before.test(r) || predicate.test(r);
      return this;
    }

    /** Called after every attempt, first, with its outcome; may be given more than once. */
    public Builder afterAttempt(Consumer<? super Attempt> callback) {
      afterAttempt.add(Objects.requireNonNull(callback, "callback"));
      return this;
    }

    /** Called before each wait with the attempt that failed and the wait; may be given more than once. */
    public Builder beforeSleep(BiConsumer<? super Attempt, ? super Duration> callback) {
      beforeSleep.add(Objects.requireNonNull(callback, "callback"));
      return this;
    }

    /** What happens when a stop condition ends the retries; default {@link GiveUp#LAST_OUTCOME}. */
    public Builder onGiveUp(GiveUp giveUp) {
      this.giveUp = Objects.requireNonNull(giveUp, "giveUp");
      return this;
    }

    /** The monotonic clock in nanoseconds that elapsed time is read from; default {@link System#nanoTime()}. */
    public Builder clock(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /** How waits are waited; default {@link Sleeper#system()}. */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Uniform values in [0, 1) for random waits and jitter; default {@link ThreadLocalRandom}. Must be thread-safe. */
    public Builder random(DoubleSupplier random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** The immutable retry. */
    public Retry build() {
      return new Retry(this);
    }
  }
}
