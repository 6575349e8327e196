package dev.spindle;

/**
 * The code of a {@link Task}. Implementations must be thread-safe if the task is run concurrently
 * (every executor may run several executions of one task at once).
 */
@FunctionalInterface
public interface TaskFunction<I, O> {
  /**
   * Computes the output.
   *
   * @param input the deserialized input (may be {@code null} if the caller submitted null)
   * @param context the execution's context: cancellation, attempt, worker name
   * @throws Exception any exception fails the execution; it surfaces at {@link TaskFuture#result()}
   */
  O run(I input, TaskContext context) throws Exception;
}
