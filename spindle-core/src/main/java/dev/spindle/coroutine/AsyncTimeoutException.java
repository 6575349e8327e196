package dev.spindle.coroutine;

import dev.spindle.TaskTimeoutException;

/**
 * asyncio's {@code TimeoutError}: a {@link Async#waitFor} or {@link Async#asCompleted} ran out of
 * time. For {@code waitFor} the awaited task has been cancelled (and has finished) when this is
 * thrown.
 */
public final class AsyncTimeoutException extends TaskTimeoutException {
  /** An exception with the given message. */
  public AsyncTimeoutException(String message) {
    super(message);
  }
}
