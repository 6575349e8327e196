package dev.spindle.examples.primes;

import dev.spindle.ExecutionModel;
import java.util.Locale;

/**
 * The exact lines of the texts' prime checkers (sequential.py, threads.py, procs.py). Numbers are
 * formatted with {@link Locale#ROOT}, so the decimal point is always a dot. Stateless.
 */
public final class PrimeReport {
  private PrimeReport() {}

  /**
   * {@code Checking 20 numbers sequentially:}, or {@code Checking 20 numbers with 2 processes:}
   * ({@code threads}, {@code virtual threads}). Like the text, the plural is used even for one worker.
   *
   * @param workers the worker count; 0 for {@code VIRTUAL} means one virtual thread per number
   * @throws IllegalArgumentException for {@code DISTRIBUTED}, which the prime checker does not run
   */
  public static String header(ExecutionModel model, int workers, int count) {
    return switch (model) {
      case SEQUENTIAL -> String.format(Locale.ROOT, "Checking %d numbers sequentially:", count);
      case THREADS -> String.format(Locale.ROOT, "Checking %d numbers with %d threads:", count, workers);
      case VIRTUAL -> String.format(Locale.ROOT, "Checking %d numbers with %d virtual threads:", count,
          workers == 0 ? count : workers);
      case PROCESSES -> String.format(Locale.ROOT, "Checking %d numbers with %d processes:", count, workers);
      case COROUTINE -> String.format(Locale.ROOT, "Checking %d numbers as coroutines on one event loop:", count);
      case DISTRIBUTED -> throw new IllegalArgumentException(
          "the prime checker runs on SEQUENTIAL, THREADS, VIRTUAL, PROCESSES or COROUTINE, not DISTRIBUTED");
    };
  }

  /** One result row: {@code f'{n:16}  {label} {elapsed:9.6f}s'} with label {@code P} or a blank. */
  public static String row(PrimeResult r) {
    return String.format(Locale.ROOT, "%16d  %s %9.6fs", r.n(), r.prime() ? "P" : " ", r.elapsed());
  }

  /** A row for a number whose check failed (not in the texts, which never fail). */
  public static String errorRow(long n, Throwable error) {
    return String.format(Locale.ROOT, "%16d  ! failed: %s", n, error);
  }

  /**
   * The last line: {@code Total time: 1.33s} for the sequential model (sequential.py), otherwise
   * {@code 20 checks in 0.53s} (procs.py).
   */
  public static String footer(ExecutionModel model, int checked, double elapsedSeconds) {
    return model == ExecutionModel.SEQUENTIAL
        ? String.format(Locale.ROOT, "Total time: %.2fs", elapsedSeconds)
        : String.format(Locale.ROOT, "%d checks in %.2fs", checked, elapsedSeconds);
  }
}
