package dev.spindle.examples.primes;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrimeDatasetTest {
  @Test
  void textDatasetIsTheNotesNumbersInOrder() {
    assertThat(PrimeDataset.TEXT.numbers()).containsExactly(2L, 3333333333333333L, 4444444444444444L,
        5555555555555555L, 6666666666666666L, 142702110479723L, 7777777777777777L, 299593572317531L,
        9999999999999999L, 3333333333333301L, 3333335652092209L, 4444444488888889L, 4444444444444423L,
        5555553133149889L, 5555555555555503L, 6666666666666719L, 6666667141414921L, 7777777536340681L,
        7777777777777753L, 9999999999999917L);
    assertThat(PrimeDataset.TEXT.fixtures().stream().filter(PrimeFixture::prime).map(PrimeFixture::n))
        .containsExactlyInAnyOrder(2L, 142702110479723L, 299593572317531L, 3333333333333301L,
            4444444444444423L, 5555555555555503L, 6666666666666719L, 7777777777777753L, 9999999999999917L);
  }

  @Test
  void textSquaresAreSquaresOfTheStatedPrimes() {
    Map<Long, Long> squares = Map.of(3333335652092209L, 57735047L, 4444444488888889L, 66666667L,
        5555553133149889L, 74535583L, 6666667141414921L, 81649661L, 7777777536340681L, 88191709L);
    squares.forEach((square, root) -> {
      assertThat(root * root).isEqualTo(square);
      assertThat(BigInteger.valueOf(root).isProbablePrime(100)).isTrue();
    });
  }

  @Test
  void largeFlagsAreRightByAnIndependentTest() {
    // Primes.isPrime would take about 19 s on these; BigInteger's Miller-Rabin is independent and instant.
    for (PrimeFixture f : PrimeDataset.LARGE.fixtures()) {
      assertThat(BigInteger.valueOf(f.n()).isProbablePrime(100)).as("%d", f.n()).isEqualTo(f.prime());
    }
  }

  @Test
  void largeNumbersAreBuiltAsDocumented() {
    List<PrimeFixture> large = PrimeDataset.LARGE.fixtures();
    assertThat(large).hasSize(12);
    assertThat(new HashSet<>(PrimeDataset.LARGE.numbers())).hasSize(12);
    for (PrimeFixture f : large) {
      assertThat(f.n()).isBetween(1_000_000_000_000_000_000L, Long.MAX_VALUE); // 2^59.8 .. 2^63
    }
    long[][] semiprimes = {{2108185091L, 2108185117L}, {1825741829L, 1825741861L},
        {1490711941L, 1490711987L}, {1054092517L, 1054092563L}};
    long[] repdigits = {4444444444444444444L, 3333333333333333333L, 2222222222222222222L, 1111111111111111111L};
    for (int k = 0; k < 4; k++) {
      long p = semiprimes[k][0];
      long q = semiprimes[k][1];
      long root = Primes.isqrt(repdigits[k]);
      // p is the largest prime <= sqrt(R), q the smallest prime above it.
      assertThat(p).isLessThanOrEqualTo(root);
      assertThat(q).isGreaterThan(root);
      assertThat(BigInteger.valueOf(p).nextProbablePrime()).isEqualTo(BigInteger.valueOf(q));
      assertThat(BigInteger.valueOf(p).isProbablePrime(100)).isTrue();
      assertThat(PrimeDataset.LARGE.numbers()).contains(Math.multiplyExact(p, q));
    }
    // The primes are the largest below each repdigit (R19 itself for d = 1).
    for (long r : new long[] {4444444444444444444L, 3333333333333333333L, 2222222222222222222L}) {
      long prime = PrimeDataset.LARGE.fixtures().stream().filter(PrimeFixture::prime).mapToLong(PrimeFixture::n)
          .filter(n -> n < r && r - n < 100).findFirst().orElseThrow();
      assertThat(BigInteger.valueOf(prime).nextProbablePrime().longValueExact()).isGreaterThan(r);
    }
    assertThat(BigInteger.valueOf(1111111111111111111L).isProbablePrime(100)).isTrue();
  }
}
