package dev.spindle.examples.spinner;

import dev.spindle.coroutine.Async;
import dev.spindle.examples.primes.Primes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Python's {@code slow()}: stands in for a slow call and returns {@value #ANSWER}. Either a blocking
 * sleep (3 s: a slow network API call), an awaited sleep (coroutine model), or a CPU-bound {@code is_prime(5_000_111_000_222_021)}
 * (3.3 s under CPython on the text's laptop; about 0.1 s on this JVM, so another number may be
 * given), optionally "napping" every 50,000 iterations. Immutable and thread-safe.
 */
public final class Slow {
  /** What {@code slow()} returns. */
  public static final int ANSWER = 42;
  /** The number of the text's quiz, a prime. */
  public static final long TEXT_NUMBER = 5_000_111_000_222_021L;
  /** The text's sleep. */
  public static final Duration TEXT_SLEEP = Duration.ofSeconds(3);
  /** 2^62 - 57, the largest prime below 2^62: about 3.2 s here, the text's 3.3 s scale. */
  public static final long TEXT_SCALE_NUMBER = 4_611_686_018_427_387_847L;

  /** The kind of work. */
  public enum Kind {
    /** {@code time.sleep(3)}: blocks without using the CPU (on the coroutine model: blocks the loop). */
    SLEEP,
    /** {@code await asyncio.sleep(3)}: suspends the coroutine (coroutine model only). */
    ASYNC_SLEEP,
    /** {@code is_prime(n)}: keeps one CPU busy. */
    PRIME
  }

  private final Kind kind;
  private final Duration sleep;
  private final long number;
  private final @Nullable Runnable nap;

  private Slow(Kind kind, Duration sleep, long number, @Nullable Runnable nap) {
    this.kind = kind;
    this.sleep = sleep;
    this.number = number;
    this.nap = nap;
  }

  /**
   * A sleep of the given length.
   *
   * @throws IllegalArgumentException if negative
   */
  public static Slow sleep(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("sleep must not be negative: " + duration);
    }
    return new Slow(Kind.SLEEP, duration, 0, null);
  }

  /**
   * {@code await asyncio.sleep(d)}: suspends the calling coroutine ({@link Async#sleep}); only on an
   * event loop.
   *
   * @throws IllegalArgumentException if negative
   */
  public static Slow asyncSleep(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("sleep must not be negative: " + duration);
    }
    return new Slow(Kind.ASYNC_SLEEP, duration, 0, null);
  }

  /** A prime check of {@code n} that never yields. */
  public static Slow prime(long n) {
    return new Slow(Kind.PRIME, Duration.ZERO, n, null);
  }

  /**
   * A prime check of {@code n} that calls {@code nap} every 50,000 iterations
   * ({@link Primes#isPrimeNapping}); on a cooperative scheduler pass {@link #nap()}.
   */
  public static Slow primeNapping(long n, Runnable nap) {
    return new Slow(Kind.PRIME, Duration.ZERO, n, Objects.requireNonNull(nap, "nap"));
  }

  /**
   * Python's {@code await asyncio.sleep(0)} for a virtual thread: gives the carrier to every other
   * virtual thread that is ready, including those whose timed wait just expired, then resumes.
   *
   * <p>It parks for one nanosecond rather than calling {@link Thread#yield()}: on JDK 25, a yielding
   * virtual thread is re-queued ahead of the wake-ups the scheduler's timer submits, so on a single
   * carrier a spinner waiting for its next frame never got a turn (measured: 1 frame in 3.2 s). The
   * price is one timer round trip per nap, during which the carrier idles (about 0.1 ms here).
   */
  public static void nap() {
    LockSupport.parkNanos(1);
  }

  /** The kind. */
  public Kind kind() {
    return kind;
  }

  /** True for a napping prime check. */
  public boolean naps() {
    return nap != null;
  }

  /** The number checked (PRIME only). */
  public long number() {
    return number;
  }

  /**
   * Does the slow work on the calling thread and returns {@value #ANSWER}.
   *
   * @throws InterruptedException if interrupted while sleeping
   */
  public int call() throws InterruptedException {
    switch (kind) {
      case SLEEP -> Thread.sleep(sleep);
      case ASYNC_SLEEP -> Async.sleep(sleep);
      case PRIME -> {
        if (nap == null) {
          Primes.isPrime(number);
        } else {
          Primes.isPrimeNapping(number, nap);
        }
      }
    }
    return ANSWER;
  }

  @Override
  public String toString() {
    return kind == Kind.SLEEP ? "sleep(" + sleep.toMillis() / 1000.0 + "s)"
        : kind == Kind.ASYNC_SLEEP ? "await asyncio.sleep(" + sleep.toMillis() / 1000.0 + "s)"
        : "is_prime(" + number + (nap != null ? ", napping every 50,000 iterations" : "") + ")";
  }
}
