package dev.spindle.examples.primes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PrimesTest {
  @Test
  void answersEveryTextFixtureFlag() {
    for (PrimeFixture f : PrimeDataset.TEXT.fixtures()) {
      assertThat(Primes.isPrime(f.n())).as("is_prime(%d)", f.n()).isEqualTo(f.prime());
    }
  }

  @Test
  void followsTheTextsSmallCases() {
    assertThat(Primes.isPrime(Long.MIN_VALUE)).isFalse();
    assertThat(Primes.isPrime(-7)).isFalse();
    assertThat(Primes.isPrime(0)).isFalse();
    assertThat(Primes.isPrime(1)).isFalse();
    assertThat(Primes.isPrime(2)).isTrue();
    assertThat(Primes.isPrime(3)).isTrue();
    assertThat(Primes.isPrime(4)).isFalse();
    assertThat(Primes.isPrime(9)).isFalse();
    assertThat(Primes.isPrime(25)).isFalse();
    assertThat(Primes.isPrime(1L << 62)).isFalse();
  }

  @Test
  void agreesWithBigIntegerOnSmallNumbers() {
    for (long n = -2; n < 20_000; n++) {
      boolean expected = n >= 2 && BigInteger.valueOf(n).isProbablePrime(50);
      assertThat(Primes.isPrime(n)).as("n=%d", n).isEqualTo(expected);
      assertThat(Primes.isPrime(n, () -> {})).as("checkpointed n=%d", n).isEqualTo(expected);
      assertThat(Primes.isPrimeNapping(n, () -> {})).as("napping n=%d", n).isEqualTo(expected);
    }
  }

  @Test
  void isqrtIsExactUpToLongMax() {
    assertThat(Primes.isqrt(0)).isZero();
    assertThat(Primes.isqrt(1)).isEqualTo(1);
    assertThat(Primes.isqrt(3)).isEqualTo(1);
    assertThat(Primes.isqrt(4)).isEqualTo(2);
    assertThat(Primes.isqrt(Long.MAX_VALUE)).isEqualTo(3_037_000_499L);
    long p = 2_147_483_647L; // 2^31 - 1
    assertThat(Primes.isqrt(p * p)).isEqualTo(p);
    assertThat(Primes.isqrt(p * p - 1)).isEqualTo(p - 1);
    assertThat(Primes.isqrt(p * p + 1)).isEqualTo(p);
    long big = 3_037_000_499L;
    assertThat(Primes.isqrt(big * big)).isEqualTo(big);
    assertThat(Primes.isqrt(big * big - 1)).isEqualTo(big - 1);
    for (long r = 94_906_200L; r < 94_906_300L; r++) { // around sqrt(2^53): doubles round here
      assertThat(Primes.isqrt(r * r)).isEqualTo(r);
      assertThat(Primes.isqrt(r * r - 1)).isEqualTo(r - 1);
    }
    assertThatThrownBy(() -> Primes.isqrt(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void checkpointRunsEveryMillionIterationsAndCanAbort() {
    long n = 142_702_110_479_723L; // prime; isqrt = 11_945_799, so about 5.97 M odd candidates
    AtomicLong checkpoints = new AtomicLong();
    assertThat(Primes.isPrime(n, checkpoints::incrementAndGet)).isTrue();
    long iterations = (Primes.isqrt(n) - 3) / 2 + 1;
    assertThat(checkpoints.get()).isEqualTo((iterations + Primes.CHECKPOINT_ITERATIONS - 1) / Primes.CHECKPOINT_ITERATIONS);

    AtomicLong calls = new AtomicLong();
    assertThatThrownBy(() -> Primes.isPrime(n, () -> {
      if (calls.incrementAndGet() == 2) {
        throw new CancellationException("stop");
      }
    })).isInstanceOf(CancellationException.class);
    assertThat(calls.get()).isEqualTo(2);
  }

  @Test
  void napsOnceEvery50000Iterations() {
    long n = 142_702_110_479_723L;
    AtomicLong naps = new AtomicLong();
    assertThat(Primes.isPrimeNapping(n, naps::incrementAndGet)).isTrue();
    // i runs over 3, 5, ..., isqrt(n); a nap when i % 100_000 == 1, i.e. i = 100_001, 200_001, ...
    assertThat(naps.get()).isEqualTo((Primes.isqrt(n) - 1) / 100_000);
    assertThat(Primes.NAP_EVERY_ITERATIONS).isEqualTo(50_000);
  }
}
