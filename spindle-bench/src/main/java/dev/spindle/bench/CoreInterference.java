package dev.spindle.bench;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How much work on one CPU slows a cache-bound thread on the other: a diagnostic for the cost of
 * metrics and tracing in a drain, where the observer's thread works on one core while the SQLite
 * dispatcher, bound by its caches, runs on the other. {@code probe} times a pointer chase through a
 * working set of the given size, several times; {@code load} keeps one CPU busy for the given seconds
 * with {@code alu} (arithmetic only), {@code stream} (reads and writes 64 MB in order) or
 * {@code alloc} (allocates 64-byte arrays, as an observer's thread does). Run each on a CPU of its
 * own, the probe alone first:
 *
 * <pre>
 * taskset -c 0 java -cp ... dev.spindle.bench.CoreInterference probe 4      # working set, MiB
 * taskset -c 1 java -cp ... dev.spindle.bench.CoreInterference load alloc 30 &amp;
 * taskset -c 0 java -cp ... dev.spindle.bench.CoreInterference probe 4
 * </pre>
 */
public final class CoreInterference {
  private static final int CHASE_STEPS = 30_000_000;
  private static final int PROBE_ROUNDS = 7;

  /** What {@code load} computes, kept so that the JIT cannot drop the work. */
  private static volatile long sink;
  private static volatile Object kept = new Object();

  private CoreInterference() {}

  /** Runs the probe or a load; see the class comment for arguments. */
  public static void main(String[] args) {
    if (args.length == 2 && args[0].equals("probe")) {
      probe(Integer.parseInt(args[1]));
    } else if (args.length == 3 && args[0].equals("load")) {
      load(args[1], Long.parseLong(args[2]) * 1_000_000_000L);
    } else {
      throw new IllegalArgumentException("usage: probe MIB | load alu|stream|alloc SECONDS");
    }
  }

  private static void probe(int mib) {
    // one random cycle through every slot (Sattolo's shuffle), so the chase visits the whole set
    int[] next = new int[mib * (1 << 20) / Integer.BYTES];
    for (int i = 0; i < next.length; i++) {
      next[i] = i;
    }
    SplittableRandom r = new SplittableRandom(1);
    for (int i = next.length - 1; i > 0; i--) {
      int j = r.nextInt(i);
      int t = next[i];
      next[i] = next[j];
      next[j] = t;
    }
    for (int round = 0; round < PROBE_ROUNDS; round++) {
      long start = System.nanoTime();
      int p = 0;
      for (int i = 0; i < CHASE_STEPS; i++) {
        p = next[p];
      }
      sink = p;
      System.out.printf(Locale.ROOT, "chase through %d MiB: %.1f ns per step%n", mib,
          (System.nanoTime() - start) / (double) CHASE_STEPS);
    }
  }

  private static void load(String kind, long nanos) {
    long end = System.nanoTime() + nanos;
    switch (kind) {
      case "alu" -> {
        long x = 1;
        while (System.nanoTime() < end) {
          for (int i = 0; i < 1_000_000; i++) {
            x = x * 6364136223846793005L + (x >>> 29);
          }
        }
        sink = x;
      }
      case "stream" -> {
        long[] b = new long[(64 << 20) / Long.BYTES];
        long s = 0;
        while (System.nanoTime() < end) {
          for (int i = 0; i < b.length; i += 8) {
            b[i] += i;
            s += b[i];
          }
        }
        sink = s;
      }
      case "alloc" -> {
        while (System.nanoTime() < end) {
          for (int i = 0; i < 1000; i++) {
            long[] a = new long[6];
            a[0] = i;
            if (i == 0) {
              kept = a; // one in a thousand escapes, so the allocations cannot be optimized away
            }
          }
        }
      }
      default -> throw new IllegalArgumentException("unknown load " + kind + ": alu, stream or alloc");
    }
  }
}
