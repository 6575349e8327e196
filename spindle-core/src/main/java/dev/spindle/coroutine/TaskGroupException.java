package dev.spindle.coroutine;

import java.util.List;

/**
 * asyncio's {@code ExceptionGroup} from a {@link TaskGroup}: one or more of its tasks (or its body)
 * failed. {@link #exceptions()} lists them in the order they happened; they are also attached as
 * suppressed exceptions, and the first is the cause.
 */
public final class TaskGroupException extends RuntimeException {
  private final transient List<Throwable> exceptions;

  TaskGroupException(List<Throwable> exceptions) {
    super("unhandled errors in a TaskGroup (" + exceptions.size() + " sub-exception"
        + (exceptions.size() == 1 ? "" : "s") + "): " + exceptions.get(0), exceptions.get(0));
    this.exceptions = List.copyOf(exceptions);
    for (Throwable t : exceptions) {
      addSuppressed(t);
    }
  }

  /** The failures, in the order they happened. */
  public List<Throwable> exceptions() {
    return exceptions;
  }
}
