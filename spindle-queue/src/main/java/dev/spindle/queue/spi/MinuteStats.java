package dev.spindle.queue.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What happened in one minute, as a store keeps it (see {@link JobStatistics}): how many jobs
 * started, and how many attempts ended in each way, with a histogram of the wait times of the jobs
 * that started (from when a job became ready to run until a worker claimed it). Immutable.
 *
 * <p>Stores keep a minute as counters named by small integers ({@link #STARTED} ... {@link
 * #CANCELLED}, and {@link #WAIT_BASE}{@code  + bucket} for the histogram), so every backend adds to
 * them with its own atomic increment; {@link #fromCounters} and {@link #counters} convert. The
 * wait histogram has log-linear buckets of whole milliseconds, four per doubling (at most 25 %
 * wide): bucket {@code b < 4} holds {@code b} ms; above, bucket {@code 4 (e - 1) + s} holds
 * {@code [(4 + s) 2^(e-2), (5 + s) 2^(e-2))} ms. {@link #bucket} and {@link #bucketEnd} compute
 * them with integer arithmetic only, identically in every store.
 *
 * @param minute the start of the minute (UTC, whole minute)
 * @param started jobs claimed by a worker
 * @param succeeded attempts that succeeded
 * @param failed attempts that ended the job FAILED (retries exhausted or not retryable)
 * @param retried attempts that failed and were scheduled to run again
 * @param dead jobs that became DEAD (poison, timed out beyond its rules, lost their worker too often)
 * @param cancelled jobs that became CANCELLED
 * @param waitBuckets counts of the started jobs' wait times by bucket (index = bucket); trailing
 *     empty buckets may be absent
 */
public record MinuteStats(Instant minute, long started, long succeeded, long failed, long retried, long dead,
    long cancelled, long[] waitBuckets) {
  /** Counter: jobs started. */
  public static final int STARTED = 0;
  /** Counter: attempts succeeded. */
  public static final int SUCCEEDED = 1;
  /** Counter: jobs failed for good. */
  public static final int FAILED = 2;
  /** Counter: attempts failed and retried. */
  public static final int RETRIED = 3;
  /** Counter: jobs dead. */
  public static final int DEAD = 4;
  /** Counter: jobs cancelled. */
  public static final int CANCELLED = 5;
  /** Counter of wait bucket {@code b}: {@code WAIT_BASE + b}. */
  public static final int WAIT_BASE = 100;
  /** The number of wait buckets (the last holds everything from about 2^40 ms up). */
  public static final int BUCKETS = 160;
  /** How long stores keep minutes: a day. */
  public static final Duration KEPT = Duration.ofHours(24);

  /** Copies the histogram. */
  public MinuteStats {
    Objects.requireNonNull(minute, "minute");
    waitBuckets = waitBuckets.clone();
  }

  /** The wait histogram (a copy). */
  @Override
  public long[] waitBuckets() {
    return waitBuckets.clone();
  }

  /** Jobs that finished (succeeded, failed, dead or cancelled) in the minute. */
  public long finished() {
    return succeeded + failed + dead + cancelled;
  }

  /** The minute containing {@code t}, as epoch seconds. */
  public static long minuteOf(Instant t) {
    return Math.floorDiv(t.getEpochSecond(), 60) * 60;
  }

  /** The wait bucket of a wait time; negative waits (clock skew) count as 0. */
  public static int bucket(Duration wait) {
    long ms = wait.isNegative() ? 0 : wait.toMillis();
    if (ms < 4) {
      return (int) ms;
    }
    int e = 63 - Long.numberOfLeadingZeros(ms);
    int s = (int) (ms >> (e - 2)) - 4;
    return Math.min(BUCKETS - 1, 4 * (e - 1) + s);
  }

  /** The end (exclusive) of a bucket in milliseconds: every wait in it is shorter. */
  public static long bucketEnd(int b) {
    if (b < 4) {
      return b + 1;
    }
    int next = b + 1;
    int e = next / 4 + 1;
    int s = next % 4;
    return (4L + s) << (e - 2);
  }

  /** This minute as the counters a store keeps (zero counters left out). */
  public Map<Integer, Long> counters() {
    Map<Integer, Long> m = new TreeMap<>();
    long[] c = {started, succeeded, failed, retried, dead, cancelled};
    for (int i = 0; i < c.length; i++) {
      if (c[i] != 0) {
        m.put(i, c[i]);
      }
    }
    for (int b = 0; b < waitBuckets.length; b++) {
      if (waitBuckets[b] != 0) {
        m.put(WAIT_BASE + b, waitBuckets[b]);
      }
    }
    return m;
  }

  /** A minute from a store's counters; unknown counter numbers are ignored. */
  public static MinuteStats fromCounters(Instant minute, Map<Integer, Long> counters) {
    long[] c = new long[6];
    long[] w = new long[BUCKETS];
    int top = 0;
    for (Map.Entry<Integer, Long> e : counters.entrySet()) {
      int k = e.getKey();
      if (k >= 0 && k < c.length) {
        c[k] += e.getValue();
      } else if (k >= WAIT_BASE && k < WAIT_BASE + BUCKETS) {
        w[k - WAIT_BASE] += e.getValue();
        top = Math.max(top, k - WAIT_BASE + 1);
      }
    }
    return new MinuteStats(minute, c[0], c[1], c[2], c[3], c[4], c[5], Arrays.copyOf(w, top));
  }

  /** The sum of several minutes' histograms. */
  public static long[] sumWaits(Iterable<MinuteStats> minutes) {
    long[] sum = new long[BUCKETS];
    for (MinuteStats m : minutes) {
      for (int b = 0; b < m.waitBuckets.length; b++) {
        sum[b] += m.waitBuckets[b];
      }
    }
    return sum;
  }

  /**
   * The wait time under which a fraction {@code q} of a histogram's waits fall, in milliseconds (the
   * end of the bucket holding that rank: at most 25 % above the true value), or -1 if it is empty.
   *
   * @throws IllegalArgumentException unless {@code 0 < q <= 1}
   */
  public static long percentileMillis(long[] buckets, double q) {
    if (!(q > 0 && q <= 1)) {
      throw new IllegalArgumentException("a percentile is a fraction in (0, 1]: " + q);
    }
    long total = 0;
    for (long n : buckets) {
      total += n;
    }
    if (total == 0) {
      return -1;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int b = 0; b < buckets.length; b++) {
      seen += buckets[b];
      if (seen >= rank) {
        return bucketEnd(b);
      }
    }
    return bucketEnd(buckets.length - 1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MinuteStats m && minute.equals(m.minute) && started == m.started
        && succeeded == m.succeeded && failed == m.failed && retried == m.retried && dead == m.dead
        && cancelled == m.cancelled && Arrays.equals(trim(waitBuckets), trim(m.waitBuckets));
  }

  @Override
  public int hashCode() {
    return Objects.hash(minute, started, succeeded, failed, retried, dead, cancelled,
        Arrays.hashCode(trim(waitBuckets)));
  }

  @Override
  public String toString() {
    return "MinuteStats[" + minute + " started=" + started + " succeeded=" + succeeded + " failed=" + failed
        + " retried=" + retried + " dead=" + dead + " cancelled=" + cancelled + " waits=" + counters() + "]";
  }

  private static long[] trim(long[] a) {
    int n = a.length;
    while (n > 0 && a[n - 1] == 0) {
      n--;
    }
    return Arrays.copyOf(a, n);
  }
}
