package dev.spindle.spi;

import dev.spindle.MapOptions;
import dev.spindle.RejectedSubmissionException;
import dev.spindle.ResultIterator;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.TaskInterruptedException;
import dev.spindle.TaskTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The ordered, lazy, windowed {@link TaskExecutor#map} every backend shares, built on one
 * primitive: {@link ChunkSubmitter submit a chunk of inputs, get a future of their outcomes}.
 *
 * <p>Behaviour of the returned {@link ResultIterator}:
 *
 * <ul>
 *   <li>Inputs are read and submitted in chunks of {@link MapOptions#chunkSize()}, keeping at most
 *       {@link MapOptions#window()} chunks in flight (default: the backend's
 *       {@code defaultWindow}); the first window is submitted by {@link #map} itself, so a
 *       shut-down executor refuses the map at once. An endless iterable works.
 *   <li>Outputs come in input order. A failed input throws {@link TaskFailedException} from
 *       {@code next()} at its position; iteration may go on. A chunk whose future failed as a whole
 *       (e.g. its worker died) throws that failure for each of its inputs.
 *   <li>The {@link MapOptions#timeout() timeout} counts from the call. When {@code next()} would
 *       have to wait past it, it cancels everything in flight and throws
 *       {@link TaskTimeoutException}; the iterator is then finished.
 *   <li>A {@link RejectedSubmissionException} for a full backlog is absorbed while chunks are in
 *       flight (the chunk is retried after the next result); with nothing in flight it is thrown
 *       from {@code next()}, and the held chunk is retried on the following call, so no input is
 *       lost. A shut-down executor, or an exception thrown by the input iterator, is thrown from
 *       {@code next()} after the outputs of the inputs read before it.
 *   <li>{@link ResultIterator#close()} cancels (interrupting) every chunk in flight.
 * </ul>
 *
 * <p>The iterator is not thread-safe (one consumer); the submitter is only called from the
 * consuming thread.
 */
public final class MapSupport {
  private MapSupport() {}

  /**
   * Submits a chunk of inputs as one unit of work.
   *
   * @param <I> input type
   * @param <O> output type
   */
  @FunctionalInterface
  public interface ChunkSubmitter<I, O> {
    /**
     * Schedules the chunk and returns at once.
     *
     * @param inputs one or more inputs (an immutable list); the future's list must hold exactly one
     *     {@link Outcome} per input, in the same order
     * @return a future of the outcomes; cancelling it must stop the chunk's work
     * @throws RejectedSubmissionException if shut down or the backlog is full
     */
    TaskFuture<List<Outcome<O>>> submit(List<I> inputs);
  }

  /**
   * The window used when {@link MapOptions#window()} is 0: four chunks per worker, at least 16.
   *
   * @param workers the executor's worker count (0 for unlimited)
   */
  public static int defaultWindow(int workers) {
    return Math.max(16, 4 * Math.max(workers, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * Starts an ordered map.
   *
   * @param task the task (used for its name in messages)
   * @param inputs the inputs, read lazily
   * @param options timeout, chunk size, window
   * @param defaultWindow the window in chunks when {@code options.window()} is 0
   * @param submitter the backend's chunk primitive
   * @throws RejectedSubmissionException if the first chunk is refused because the executor is shut
   *     down
   */
  public static <I, O> ResultIterator<O> map(Task<I, O> task, Iterable<? extends I> inputs,
      MapOptions options, int defaultWindow, ChunkSubmitter<I, O> submitter) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(submitter, "submitter");
    if (defaultWindow < 1) {
      throw new IllegalArgumentException("defaultWindow must be >= 1: " + defaultWindow);
    }
    OrderedResults<I, O> it = new OrderedResults<>(task.name(), inputs.iterator(), options,
        options.window() == 0 ? defaultWindow : options.window(), submitter);
    it.refill();
    if (it.pendingError instanceof RejectedSubmissionException r
        && r.reason() == RejectedSubmissionException.Reason.SHUTDOWN && it.inFlight.isEmpty()) {
      it.close();
      throw r;
    }
    return it;
  }

  private static final class Pending<O> {
    final TaskFuture<List<Outcome<O>>> future;
    final int size;

    Pending(TaskFuture<List<Outcome<O>>> future, int size) {
      this.future = future;
      this.size = size;
    }
  }

  private static final class OrderedResults<I, O> implements ResultIterator<O> {
    private final String taskName;
    private final Iterator<? extends I> inputs;
    private final int chunkSize;
    private final int window;
    private final long deadline; // System.nanoTime() based; only if timed
    private final boolean timed;
    private final java.time.@Nullable Duration timeout;
    private final ChunkSubmitter<I, O> submitter;
    final ArrayDeque<Pending<O>> inFlight = new ArrayDeque<>();

    private @Nullable List<I> held; // read but not yet accepted by the submitter
    @Nullable RuntimeException pendingError; // thrown after in-flight results are delivered
    private boolean inputsExhausted;
    private boolean finished;

    private @Nullable Pending<O> current;
    private @Nullable List<Outcome<O>> currentOutcomes;
    private @Nullable Throwable currentFailure; // the whole chunk failed
    private int index;

    OrderedResults(String taskName, Iterator<? extends I> inputs, MapOptions options, int window,
        ChunkSubmitter<I, O> submitter) {
      this.taskName = taskName;
      this.inputs = inputs;
      this.chunkSize = options.chunkSize();
      this.window = window;
      this.timeout = options.timeout();
      this.timed = timeout != null;
      long now = System.nanoTime();
      long nanos = timeout != null ? saturatedNanos(timeout) : 0;
      this.deadline = timed ? (now + nanos < now ? Long.MAX_VALUE : now + nanos) : 0;
      this.submitter = submitter;
    }

    private static long saturatedNanos(java.time.Duration d) {
      try {
        return d.toNanos();
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE / 2;
      }
    }

    /** Reads and submits chunks until the window is full; never throws. */
    void refill() {
      while (!finished && pendingError == null && inFlight.size() < window) {
        if (timed && System.nanoTime() - deadline >= 0) {
          // do not start work that can no longer be waited for; inputs left over are a timeout
          if (held != null || (!inputsExhausted && moreInput())) {
            pendingError = new TaskTimeoutException("map(" + taskName + ") not done within " + timeout
                + "; inputs not yet submitted remain");
          }
          return;
        }
        List<I> chunk = held;
        if (chunk == null) {
          if (inputsExhausted) {
            return;
          }
          chunk = readChunk();
          if (chunk == null) {
            return;
          }
        }
        TaskFuture<List<Outcome<O>>> f;
        try {
          f = submitter.submit(chunk);
        } catch (RejectedSubmissionException e) {
          held = chunk;
          if (e.reason() == RejectedSubmissionException.Reason.BACKLOG_FULL && !inFlight.isEmpty()) {
            return; // retried after the next result frees a slot
          }
          pendingError = e;
          return;
        } catch (RuntimeException e) {
          held = chunk;
          pendingError = e;
          return;
        }
        held = null;
        inFlight.add(new Pending<>(f, chunk.size()));
      }
    }

    private boolean moreInput() {
      try {
        return inputs.hasNext();
      } catch (RuntimeException e) {
        pendingError = new IllegalStateException("the input iterable of map(" + taskName + ") threw: " + e, e);
        return false;
      }
    }

    private @Nullable List<I> readChunk() {
      List<I> chunk = null;
      try {
        while (chunk == null || chunk.size() < chunkSize) {
          if (!inputs.hasNext()) {
            inputsExhausted = true;
            break;
          }
          I in = inputs.next();
          if (chunk == null) {
            chunk = new ArrayList<>(Math.min(chunkSize, 1024));
          }
          chunk.add(in);
        }
      } catch (RuntimeException e) {
        inputsExhausted = true;
        pendingError = new IllegalStateException("the input iterable of map(" + taskName + ") threw: " + e, e);
      }
      return chunk == null ? null : java.util.Collections.unmodifiableList(chunk);
    }

    @Override
    public boolean hasNext() {
      if (finished) {
        return false;
      }
      if (current != null && index < current.size) {
        return true;
      }
      refill();
      return !inFlight.isEmpty() || held != null || pendingError != null;
    }

    @Override
    public O next() {
      if (!hasNext()) {
        throw new NoSuchElementException("map(" + taskName + ") has no more outputs");
      }
      if (current == null || index >= current.size) {
        advance();
      }
      int i = index++;
      Pending<O> p = java.util.Objects.requireNonNull(current, "current");
      if (currentFailure != null) {
        throw asElementFailure(currentFailure, p, i);
      }
      Outcome<O> o = java.util.Objects.requireNonNull(currentOutcomes, "currentOutcomes").get(i);
      if (o.isSuccess()) {
        return o.value();
      }
      throw asElementFailure(o.error(), p, i);
    }

    /** Makes the head chunk current, waiting for it; throws pending errors at their position. */
    private void advance() {
      current = null;
      currentOutcomes = null;
      currentFailure = null;
      index = 0;
      Pending<O> head = inFlight.peek();
      if (head == null) {
        if (held != null && pendingError instanceof RejectedSubmissionException r
            && r.reason() == RejectedSubmissionException.Reason.BACKLOG_FULL) {
          pendingError = null; // retried by the next hasNext()
          throw r;
        }
        RuntimeException e = pendingError;
        finished = true;
        throw e != null ? e : new NoSuchElementException();
      }
      List<Outcome<O>> outcomes;
      Throwable failure = null;
      try {
        if (!timed) {
          outcomes = head.future.get();
        } else {
          long left = deadline - System.nanoTime();
          outcomes = head.future.isDone() || left > 0
              ? head.future.get(Math.max(0, left), TimeUnit.NANOSECONDS)
              : timeoutNow();
        }
      } catch (TimeoutException e) {
        outcomes = timeoutNow();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TaskInterruptedException("interrupted while waiting for map(" + taskName + ")", e);
      } catch (ExecutionException e) {
        outcomes = null;
        failure = e.getCause();
      } catch (CancellationException e) {
        outcomes = null;
        failure = e;
      }
      inFlight.poll();
      if (outcomes != null && outcomes.size() != head.size) {
        failure = new IllegalStateException("backend returned " + outcomes.size() + " outcomes for a chunk of "
            + head.size + " inputs of map(" + taskName + ")");
        outcomes = null;
      }
      current = head;
      currentOutcomes = outcomes;
      currentFailure = failure;
      refill();
    }

    private List<Outcome<O>> timeoutNow() {
      int pending = 0;
      for (Pending<O> p : inFlight) {
        pending += p.size;
      }
      close();
      throw new TaskTimeoutException("map(" + taskName + ") not done within " + timeout + "; "
          + pending + " pending input(s) cancelled");
    }

    private RuntimeException asElementFailure(@Nullable Throwable error, Pending<O> p, int i) {
      if (error instanceof CancellationException ce) {
        return ce;
      }
      if (error instanceof TaskFailedException tfe) {
        return tfe;
      }
      String id = p.size == 1 ? p.future.id() : p.future.id() + "[" + i + "]";
      return new TaskFailedException(taskName, id, error);
    }

    @Override
    public void close() {
      finished = true;
      held = null;
      Pending<O> p;
      while ((p = inFlight.pollLast()) != null) { // newest first, so no queued chunk starts meanwhile
        p.future.cancel(true);
      }
    }
  }
}
