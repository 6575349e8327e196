package dev.spindle.examples.primes;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.TaskContext;
import dev.spindle.TaskRegistry;
import java.util.Collection;
import java.util.List;

/**
 * The prime checker's tasks, as a {@link TaskCatalog} so that child JVMs ({@code PROCESSES}) and
 * queue workers can rebuild them. Use {@link #REGISTRY} with every model.
 *
 * <p>Both tasks answer exactly as {@link Primes#isPrime(long)} and poll the execution's
 * cancellation flag every {@value Primes#CHECKPOINT_ITERATIONS} iterations, so cancelling a
 * running check stops it within about a millisecond on every model.
 */
public final class PrimeTasks implements TaskCatalog {
  /** {@code primes.check}: the number → {@link PrimeResult} with the worker-side elapsed time. */
  public static final Task<Long, PrimeResult> CHECK =
      Task.withContext("primes.check", Long.class, PrimeResult.class, PrimeTasks::check);

  /** {@code primes.is-prime}: the number → whether it is prime. */
  public static final Task<Long, Boolean> IS_PRIME =
      Task.withContext("primes.is-prime", Long.class, Boolean.class,
          (n, ctx) -> Primes.isPrime(requireNumber(n), ctx::checkCancelled));

  /** A portable registry holding this catalog. */
  public static final TaskRegistry REGISTRY = TaskRegistry.of(PrimeTasks.class);

  /** Public for {@link TaskRegistry}'s reflective construction. */
  public PrimeTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(CHECK, IS_PRIME);
  }

  /** Python's {@code check(n)}: times one {@code is_prime(n)} with a monotonic clock. */
  static PrimeResult check(Long n, TaskContext ctx) {
    long number = requireNumber(n);
    long t0 = System.nanoTime();
    boolean prime = Primes.isPrime(number, ctx::checkCancelled);
    return new PrimeResult(number, prime, (System.nanoTime() - t0) / 1e9);
  }

  private static long requireNumber(Long n) {
    if (n == null) {
      throw new IllegalArgumentException("a prime check needs a number, got null");
    }
    return n;
  }
}
