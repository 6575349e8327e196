package dev.spindle.bench;

import java.util.Collection;

/**
 * The median of the benchmarks' samples and a confidence interval for it that assumes nothing
 * about their distribution: a run's rounds are few and their spread is a noisy machine's, not a
 * normal law's. Stateless.
 */
final class Medians {
  /** The confidence the interval aims for: the true median lies inside at least this often. */
  static final double CONFIDENCE = 0.95;

  private Medians() {}

  /** The median of {@code xs} (the mean of the middle two for an even count). */
  static double median(Collection<Double> xs) {
    double[] a = sorted(xs);
    int n = a.length;
    return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
  }

  /**
   * A distribution-free interval for the median of {@code xs}, of at least {@link #CONFIDENCE}
   * coverage: the order statistics x(j) and x(n + 1 - j) (1-based) for the largest j with
   * P(Binomial(n, 1/2) &lt; j) &lt;= 2.5 %. Below 6 samples no such j exists and the interval is
   * the whole range (coverage 1 - 2^(1 - n), 97 % at 6).
   *
   * @return {low, high}
   * @throws IllegalArgumentException if {@code xs} is empty
   */
  static double[] interval(Collection<Double> xs) {
    double[] a = sorted(xs);
    int j = lowerRank(a.length);
    return new double[] {a[j - 1], a[a.length - j]};
  }

  /** The rank j (1-based, at least 1) of the interval's lower end for n samples. */
  static int lowerRank(int n) {
    double tail = (1 - CONFIDENCE) / 2;
    double p = Math.pow(0.5, n); // P(X = 0)
    double cdf = 0; // P(X < j)
    int j = 1;
    for (int k = 0; k < n; k++) {
      cdf += p; // now P(X <= k) = P(X < k + 1)
      if (cdf > tail) {
        break;
      }
      j = k + 1;
      p = p * (n - k) / (k + 1); // P(X = k + 1)
    }
    return j;
  }

  private static double[] sorted(Collection<Double> xs) {
    if (xs.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    return xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }
}
