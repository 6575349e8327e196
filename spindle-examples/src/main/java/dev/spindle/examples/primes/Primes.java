package dev.spindle.examples.primes;

/**
 * The primality check of the texts (seed-spec B1), in {@code long} arithmetic: trial division by
 * every odd number up to {@code isqrt(n)}. Deliberately naive: it is the CPU-bound workload the
 * examples and benchmarks compare execution models with.
 *
 * <p>Stateless and thread-safe. Every {@code long} is accepted; values below 2 are not prime.
 */
public final class Primes {
  /** How often (in loop iterations) {@link #isPrimeNapping} yields: {@code i % 100_000 == 1}, step 2. */
  public static final long NAP_EVERY_ITERATIONS = 50_000;

  /** How many loop iterations {@link #isPrime(long, Runnable)} runs between two checkpoints. */
  public static final long CHECKPOINT_ITERATIONS = 1L << 20;

  private Primes() {}

  /**
   * Python's {@code is_prime(n)}: {@code n < 2} is not prime, 2 is, other even numbers are not,
   * otherwise no odd {@code i} in {@code [3, isqrt(n)]} divides {@code n}.
   */
  public static boolean isPrime(long n) {
    if (n < 2) {
      return false;
    }
    if (n == 2) {
      return true;
    }
    if (n % 2 == 0) {
      return false;
    }
    long root = isqrt(n);
    for (long i = 3; i <= root; i += 2) {
      if (n % i == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@link #isPrime(long)} with a checkpoint: {@code checkpoint} runs after every
   * {@value #CHECKPOINT_ITERATIONS} loop iterations (about 3 ms here), so a long check can notice
   * cancellation by throwing from it. The inner loop is the same as {@link #isPrime(long)}'s, so it
   * costs the same; the answer is always the same.
   *
   * @param checkpoint called on the checking thread; an exception it throws aborts the check
   */
  public static boolean isPrime(long n, Runnable checkpoint) {
    if (n < 2) {
      return false;
    }
    if (n == 2) {
      return true;
    }
    if (n % 2 == 0) {
      return false;
    }
    long root = isqrt(n);
    long i = 3;
    while (i <= root) {
      long blockEnd = Math.min(root, i + 2 * (CHECKPOINT_ITERATIONS - 1)); // root < 2^32: no overflow
      for (; i <= blockEnd; i += 2) {
        if (n % i == 0) {
          return false;
        }
      }
      checkpoint.run();
    }
    return true;
  }

  /**
   * The "power napping" variant (spinner_async_nap): the same loop, calling {@code nap} whenever
   * {@code i % 100_000 == 1}, i.e. once every 50,000 iterations because {@code i} steps by 2. On a
   * cooperative scheduler {@code nap} yields (Python: {@code await asyncio.sleep(0)}; Java virtual
   * threads: {@link Thread#yield()}).
   *
   * @param nap called on the checking thread; an exception it throws propagates
   */
  public static boolean isPrimeNapping(long n, Runnable nap) {
    if (n < 2) {
      return false;
    }
    if (n == 2) {
      return true;
    }
    if (n % 2 == 0) {
      return false;
    }
    long root = isqrt(n);
    for (long i = 3; i <= root; i += 2) {
      if (n % i == 0) {
        return false;
      }
      if (i % 100_000 == 1) {
        nap.run();
      }
    }
    return true;
  }

  /**
   * The integer square root, {@code floor(sqrt(n))}, exact for every non-negative {@code long}
   * (Python's {@code math.isqrt}).
   *
   * @throws IllegalArgumentException if {@code n} is negative
   */
  public static long isqrt(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("isqrt of a negative number: " + n);
    }
    long r = (long) Math.sqrt((double) n);
    // The double estimate can be off by one either way near 2^63; fix it without overflowing.
    while (r > 0 && r > n / r) {
      r--;
    }
    while (r + 1 <= n / (r + 1)) {
      r++;
    }
    return r;
  }
}
