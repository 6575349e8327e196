package dev.spindle.examples.primes;

import java.util.List;
import java.util.Locale;

/**
 * The numbers the prime checker works on. Immutable.
 *
 * <ul>
 *   <li>{@link #TEXT}: the 20 numbers of Fluent Python's {@code primes.py}, in the order of the
 *       notes' {@code NUMBERS} list (seed-spec B2): 9 primes, 6 composites with a small factor and
 *       5 squares of primes near 10^8. The JVM checks all 20 in about 1.3 s on one core here, so
 *       this set shows the text's output but is too small to compare models fairly.
 *   <li>{@link #LARGE}: 12 numbers from 1.1×10^18 (≈2^60) to 5.6×10^18 (≈2^62.3), built the same way from the 19-digit
 *       repdigits {@code ddd...d}; each non-trivial check takes 1.5-3 s on this machine (about the
 *       text's 2.6-4.1 s per check under CPython), so models compare at the text's scale.
 * </ul>
 *
 * <p>How {@code LARGE} was chosen (every value was computed and verified, see
 * {@code PrimeDatasetTest}): for d = 4, 3, 2, 1 and the repdigit R = d × 1111111111111111111,
 * <ol>
 *   <li>a prime: the largest prime below R (for d = 1, R itself, the repunit prime R19);
 *   <li>a semiprime: p × q where p is the largest prime below √R and q the smallest prime above
 *       it, so trial division runs to p ≈ √R and costs as much as the prime of the same size;
 *   <li>trivial composites: the repdigits 5555…5 (÷5), 4444…4 (÷2), 3333…3 (÷3) and 2222…2 (÷2),
 *       answered after one or two divisions, like the text's 3333333333333333.
 * </ol>
 * The heavy numbers come in pairs of equal cost, largest first, so that two workers pulling from
 * one queue finish together (longest-processing-time-first order); the sequential run takes
 * about 19 s here.
 */
public enum PrimeDataset {
  /** The text's 20 numbers, in N3's order. */
  TEXT(List.of(
      new PrimeFixture(2L, true),
      new PrimeFixture(3333333333333333L, false),
      new PrimeFixture(4444444444444444L, false),
      new PrimeFixture(5555555555555555L, false),
      new PrimeFixture(6666666666666666L, false),
      new PrimeFixture(142702110479723L, true),
      new PrimeFixture(7777777777777777L, false),
      new PrimeFixture(299593572317531L, true),
      new PrimeFixture(9999999999999999L, false),
      new PrimeFixture(3333333333333301L, true),
      new PrimeFixture(3333335652092209L, false), // 57735047²
      new PrimeFixture(4444444488888889L, false), // 66666667²
      new PrimeFixture(4444444444444423L, true),
      new PrimeFixture(5555553133149889L, false), // 74535583²
      new PrimeFixture(5555555555555503L, true),
      new PrimeFixture(6666666666666719L, true),
      new PrimeFixture(6666667141414921L, false), // 81649661²
      new PrimeFixture(7777777536340681L, false), // 88191709²
      new PrimeFixture(7777777777777753L, true),
      new PrimeFixture(9999999999999917L, true))),

  /** 12 numbers near 2^62 whose checks take seconds each on the JVM. */
  LARGE(List.of(
      new PrimeFixture(5555555555555555555L, false), // ÷5
      new PrimeFixture(4444444444444444444L, false), // ÷2
      new PrimeFixture(3333333333333333333L, false), // ÷3
      new PrimeFixture(2222222222222222222L, false), // ÷2
      new PrimeFixture(4444444444444444409L, true), // largest prime below 4444444444444444444
      new PrimeFixture(4444444432727490647L, false), // 2108185091 × 2108185117
      new PrimeFixture(3333333333333333271L, true), // largest prime below 3333333333333333333
      new PrimeFixture(3333333284584003769L, false), // 1825741829 × 1825741861
      new PrimeFixture(2222222222222222177L, true), // largest prime below 2222222222222222222
      new PrimeFixture(2222222159612736767L, false), // 1490711941 × 1490711987
      new PrimeFixture(1111111111111111111L, true), // R19, the 19-digit repunit prime
      new PrimeFixture(1111111082883651071L, false))); // 1054092517 × 1054092563

  private final List<PrimeFixture> fixtures;

  PrimeDataset(List<PrimeFixture> fixtures) {
    this.fixtures = fixtures;
  }

  /** The numbers with their expected answers, in checking order. */
  public List<PrimeFixture> fixtures() {
    return fixtures;
  }

  /** The numbers, in checking order. */
  public List<Long> numbers() {
    return fixtures.stream().map(PrimeFixture::n).toList();
  }

  /** The dataset's name as typed on the command line ({@code text}, {@code large}). */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
