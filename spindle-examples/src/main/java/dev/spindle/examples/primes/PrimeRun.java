package dev.spindle.examples.primes;

import dev.spindle.ExecutionModel;
import java.util.List;

/**
 * The outcome of one {@link PrimeChecker} run. Immutable.
 *
 * @param model the execution model
 * @param workers the worker count (0 = one virtual thread per number)
 * @param results the answers in arrival order (out of order for concurrent models)
 * @param failures the numbers whose check failed, in arrival order
 * @param startupSeconds time to start the executor (child JVMs included), part of {@code elapsedSeconds}
 * @param elapsedSeconds from before the executor started until the last answer arrived
 */
public record PrimeRun(ExecutionModel model, int workers, List<PrimeResult> results, List<Failure> failures,
    double startupSeconds, double elapsedSeconds) {

  public PrimeRun {
    results = List.copyOf(results);
    failures = List.copyOf(failures);
  }

  /** How many numbers were checked successfully. */
  public int checked() {
    return results.size();
  }

  /** True if every check succeeded. */
  public boolean succeeded() {
    return failures.isEmpty();
  }

  /**
   * A check that failed.
   *
   * @param n the number
   * @param error why (a {@link dev.spindle.TaskFailedException}, a cancellation, ...)
   */
  public record Failure(long n, Throwable error) {}
}
