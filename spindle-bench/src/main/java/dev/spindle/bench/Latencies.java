package dev.spindle.bench;

import java.util.Collection;
import java.util.Locale;

/** Percentiles of latency samples for the benchmarks' reports. Stateless. */
final class Latencies {
  private Latencies() {}

  /** {@code p50 1.21 ms, p90 2.12 ms, p99 5.66 ms, max 13.33 ms} of samples in microseconds. */
  static String summary(Collection<Long> micros) {
    long[] a = micros.stream().mapToLong(Long::longValue).sorted().toArray();
    return String.format(Locale.ROOT, "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", pct(a, 50), pct(a, 90),
        pct(a, 99), a[a.length - 1] / 1000.0);
  }

  /** The p-th percentile (nearest rank) of sorted microseconds, in milliseconds. */
  private static double pct(long[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
  }
}
