package dev.spindle.bench;

import dev.spindle.coroutine.Async;
import dev.spindle.coroutine.AsyncTask;
import dev.spindle.coroutine.EventLoop;
import java.util.Locale;

/**
 * What a nap ({@code Async.yieldNow()}, asyncio's {@code sleep(0)}) costs on the COROUTINE model's
 * event loop: with no other coroutine ready, and as a switch between two coroutines that only
 * yield. Prints one line per round.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.CoroutineSwitchBench [--rounds 3]
 * </pre>
 */
public final class CoroutineSwitchBench {
  private CoroutineSwitchBench() {}

  /** Runs the benchmark. */
  public static void main(String[] args) {
    int rounds = args.length == 2 && args[0].equals("--rounds") ? Integer.parseInt(args[1]) : 3;
    for (int round = 0; round < rounds; round++) {
      double[] r = EventLoop.run(() -> {
        int alone = 10_000_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < alone; i++) {
          Async.yieldNow();
        }
        double aloneNs = (System.nanoTime() - t0) / (double) alone;
        AsyncTask<Void> other = Async.createTask(() -> {
          while (true) {
            Async.yieldNow();
          }
        });
        Async.yieldNow();
        int pairs = 200_000;
        long t1 = System.nanoTime();
        for (int i = 0; i < pairs; i++) {
          Async.yieldNow();
        }
        double switchUs = (System.nanoTime() - t1) / (double) pairs / 2 / 1000;
        other.cancel();
        return new double[] {aloneNs, switchUs};
      });
      System.out.printf(Locale.ROOT, "yieldNow with nothing ready: %.1f ns; one switch between two coroutines: %.2f us%n",
          r[0], r[1]);
    }
  }
}
