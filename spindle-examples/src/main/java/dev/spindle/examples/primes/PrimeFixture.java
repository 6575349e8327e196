package dev.spindle.examples.primes;

/**
 * One number of a {@link PrimeDataset} and whether it is prime (the expected answer).
 *
 * @param n the number, at least 2
 * @param prime true if {@code n} is prime
 */
public record PrimeFixture(long n, boolean prime) {
  public PrimeFixture {
    if (n < 2) {
      throw new IllegalArgumentException("fixture numbers are >= 2: " + n);
    }
  }
}
