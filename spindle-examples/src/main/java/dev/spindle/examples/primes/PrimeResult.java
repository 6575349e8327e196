package dev.spindle.examples.primes;

/**
 * The answer for one number, as procs.py's {@code PrimeResult(n, prime, elapsed)}: results of
 * concurrent checks arrive out of order, so each carries its number. Serializes to JSON.
 *
 * @param n the number checked
 * @param prime whether it is prime
 * @param elapsed seconds the check took, measured by the worker that ran it
 */
public record PrimeResult(long n, boolean prime, double elapsed) {
  public PrimeResult {
    if (elapsed < 0 || Double.isNaN(elapsed)) {
      throw new IllegalArgumentException("elapsed must be >= 0 seconds: " + elapsed);
    }
  }
}
