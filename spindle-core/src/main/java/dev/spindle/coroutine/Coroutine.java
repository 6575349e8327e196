package dev.spindle.coroutine;

import org.jspecify.annotations.Nullable;

/**
 * The body of a coroutine (Python's {@code async def}): code that runs on an {@link EventLoop} and
 * may suspend through {@link Async}. Building one runs nothing; it runs once given to
 * {@link EventLoop#run}, {@link EventLoop#createTask} or {@link Async#createTask}.
 *
 * @param <T> what it returns ({@link Void} and {@code null} for none)
 */
@FunctionalInterface
public interface Coroutine<T> {
  /**
   * Runs the body on the loop.
   *
   * @throws Exception anything; it fails the task that runs the body
   */
  @Nullable T call() throws Exception;
}
