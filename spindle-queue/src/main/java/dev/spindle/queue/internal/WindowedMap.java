package dev.spindle.queue.internal;

import dev.spindle.RejectedSubmissionException;
import dev.spindle.ResultIterator;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.TaskTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * An ordered, lazy {@link ResultIterator} keeping at most {@code window} submissions in flight. Not
 * thread-safe (one consumer).
 */
final class WindowedMap<I, O> implements ResultIterator<O> {
  private final TaskExecutor executor;
  private final Task<I, O> task;
  private final Iterator<? extends I> inputs;
  private final int window;
  private final long deadline;
  private final @Nullable Duration timeout;
  private final ArrayDeque<TaskFuture<O>> inFlight = new ArrayDeque<>();
  /** An input the executor refused, to submit again before taking the next one; null if none. */
  private @Nullable Held<I> held;
  private @Nullable RuntimeException inputFailure;
  private boolean closed;

  WindowedMap(TaskExecutor executor, Task<I, O> task, Iterator<? extends I> inputs, int window,
      @Nullable Duration timeout) {
    this.executor = executor;
    this.task = task;
    this.inputs = inputs;
    this.window = window;
    this.timeout = timeout;
    this.deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + ClientCore.toNanos(timeout);
    fill(true);
  }

  private void fill(boolean throwIfEmpty) {
    while (!closed && inFlight.size() < window && inputFailure == null) {
      I next;
      Held<I> h = held;
      if (h != null) {
        next = h.input();
      } else {
        try {
          if (!inputs.hasNext()) {
            return;
          }
          next = inputs.next();
        } catch (RuntimeException e) {
          inputFailure = e;
          return;
        }
      }
      try {
        inFlight.add(executor.submit(task, next));
        held = null;
      } catch (RejectedSubmissionException e) {
        held = new Held<>(next);
        if (inFlight.isEmpty() && (throwIfEmpty || e.reason() == RejectedSubmissionException.Reason.SHUTDOWN)) {
          throw e;
        }
        return;
      }
    }
  }

  @Override
  public boolean hasNext() {
    if (closed) {
      return false;
    }
    if (!inFlight.isEmpty() || held != null || inputFailure != null) {
      return true;
    }
    try {
      return inputs.hasNext();
    } catch (RuntimeException e) {
      inputFailure = e;
      return true;
    }
  }

  @Override
  public O next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    if (inFlight.isEmpty()) {
      fill(true);
      if (inFlight.isEmpty()) {
        RuntimeException e = inputFailure;
        inputFailure = null;
        if (e != null) {
          closed = true;
          throw e;
        }
        throw new NoSuchElementException();
      }
    }
    TaskFuture<O> f = inFlight.poll();
    try {
      long left = deadline - System.nanoTime();
      if (left <= 0 && !f.isDone()) {
        throw new TaskTimeoutException("map of task '" + task.name() + "' did not finish within " + timeout);
      }
      return f.result(deadline == Long.MAX_VALUE ? Duration.ofDays(365_000) : Duration.ofNanos(Math.max(left, 0)));
    } catch (TaskTimeoutException e) {
      f.cancel(true);
      close();
      throw new TaskTimeoutException("map of task '" + task.name() + "' did not finish within " + timeout);
    } finally {
      if (!closed) {
        fill(false);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    // newest first: queued executions are cancelled before running ones free their slots
    TaskFuture<O> f;
    while ((f = inFlight.pollLast()) != null) {
      f.cancel(true);
    }
  }

  /** An input taken from the iterator (possibly null itself), kept for another submission. */
  private record Held<T>(T input) {}
}
