package dev.spindle.spi;

import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.TaskInterruptedException;
import dev.spindle.TaskTimeoutException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link TaskFuture} every executor backend completes. Thread-safe and lock-free.
 *
 * <p>Run states and their allowed transitions (any other move is ignored or refused):
 *
 * <table>
 *   <caption>Run states</caption>
 *   <tr><th>from</th><th>to</th><th>by</th></tr>
 *   <tr><td>QUEUED</td><td>RUNNING</td><td>{@link #tryStart(Runnable)} (the backend)</td></tr>
 *   <tr><td>QUEUED</td><td>CANCELLED_QUEUED</td><td>{@link #cancel(boolean)}: it will never run</td></tr>
 *   <tr><td>RUNNING</td><td>STOPPING</td><td>{@link #cancel(boolean) cancel(true)}: invoking the canceller</td></tr>
 *   <tr><td>STOPPING</td><td>STOPPED</td><td>the canceller returned</td></tr>
 *   <tr><td>RUNNING</td><td>FINISHED</td><td>the backend completed it ({@link #succeed}/{@link #fail})</td></tr>
 * </table>
 *
 * <p>A backend calls {@code tryStart} before running the code and skips the execution when it
 * returns false (cancelled, or already failed, while queued: it never runs). The {@code canceller}
 * given to {@code tryStart} is how a running execution is stopped: interrupt the thread, or kill
 * the worker process. It is invoked at most once and never after the backend completed the
 * execution: completing a started future ({@link #succeed}, {@link #fail}, even when it returns
 * false because the future was cancelled meanwhile) waits for a canceller that is running at that
 * moment, so the canceller cannot hit a thread that has moved on to other work.
 *
 * <p>A backend running executions on its own threads must clear a stale interrupt after
 * completing ({@link Thread#interrupted()}), as {@link java.util.concurrent.FutureTask} does.
 *
 * <p>Done-callbacks ({@link #onDone}) are kept in a copy-on-write array and run in the order they
 * were added, on the completing thread, or at once on the adding thread when already done (as in
 * Python, a callback added just after completion may run before earlier ones have finished).
 *
 * <p>Subclasses may override {@link #onCancelled(boolean)} to learn about a cancellation (e.g. to
 * release a backlog slot). Dependent stages ({@code thenApply} and the like) are plain
 * {@link CompletableFuture}s.
 *
 * @param <O> output type
 */
public class CompletableTaskFuture<O> extends CompletableFuture<O> implements TaskFuture<O> {
  private static final Logger LOG = LoggerFactory.getLogger(CompletableTaskFuture.class);
  private static final Object FIRED = new Object();

  private static final int QUEUED = 0;
  private static final int RUNNING = 1;
  private static final int STOPPING = 2;
  private static final int STOPPED = 3;
  private static final int FINISHED = 4;
  private static final int CANCELLED_QUEUED = 5;

  private static final VarHandle STATE;
  private static final VarHandle CALLBACKS;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      STATE = l.findVarHandle(CompletableTaskFuture.class, "state", int.class);
      CALLBACKS = l.findVarHandle(CompletableTaskFuture.class, "callbacks", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private @Nullable String id;
  private final long sequence;
  private final String taskName;
  @SuppressWarnings("unused") // via STATE
  private volatile int state;
  /** Via CALLBACKS: null, one Consumer, an Object[] of them (never mutated), or FIRED. */
  @SuppressWarnings("unused")
  private volatile @Nullable Object callbacks;
  /**
   * RUNNING: the canceller (a Runnable; written before the QUEUED to RUNNING CAS publishes it).
   * STOPPING: the Thread running the canceller, so that it may complete this future itself.
   */
  private @Nullable Object canceller;

  /**
   * A queued future.
   *
   * @param id the execution's key, unique within its executor
   * @param taskName the task's name
   */
  public CompletableTaskFuture(String id, String taskName) {
    this.id = Objects.requireNonNull(id, "id");
    this.sequence = -1;
    this.taskName = Objects.requireNonNull(taskName, "taskName");
  }

  /**
   * A queued future whose id is the decimal form of {@code sequence}, built only when asked for
   * (cheaper on hot paths).
   *
   * @param sequence a number unique within the executor, {@code >= 0}
   * @param taskName the task's name
   */
  public CompletableTaskFuture(long sequence, String taskName) {
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must be >= 0: " + sequence);
    }
    this.sequence = sequence;
    this.taskName = Objects.requireNonNull(taskName, "taskName");
  }

  @Override
  public String id() {
    String s = id;
    if (s == null) {
      s = Long.toString(sequence);
      id = s; // racy but idempotent
    }
    return s;
  }

  @Override
  public String taskName() {
    return taskName;
  }

  /**
   * Marks the execution as running.
   *
   * @param canceller how to stop it if cancelled while running (interrupt the thread, kill the
   *     worker); may be null when it cannot be stopped
   * @return false if it was already cancelled or completed (do not run it)
   */
  public boolean tryStart(@Nullable Runnable canceller) {
    if (isDone() || (int) STATE.getVolatile(this) != QUEUED) {
      return false; // failed or cancelled while queued (stays not started), or started before
    }
    this.canceller = canceller;
    if (!STATE.compareAndSet(this, QUEUED, RUNNING)) {
      this.canceller = null;
      return false;
    }
    if (isDone()) { // failed by the backend while queued, or cancelled right after the CAS
      detach();
      return false;
    }
    return true;
  }

  @Override
  public boolean isStarted() {
    int s = (int) STATE.getVolatile(this);
    return s != QUEUED && s != CANCELLED_QUEUED;
  }

  /** Completes with the output; false if already done (e.g. cancelled). */
  public boolean succeed(O value) {
    return complete(value);
  }

  /** Completes with the task's exception; false if already done. */
  public boolean fail(Throwable error) {
    return completeExceptionally(error);
  }

  @Override
  public boolean complete(O value) {
    detach();
    if (super.complete(value)) {
      fireCallbacks();
      return true;
    }
    return false;
  }

  @Override
  public boolean completeExceptionally(Throwable ex) {
    Objects.requireNonNull(ex, "ex");
    detach();
    if (super.completeExceptionally(ex)) {
      fireCallbacks();
      return true;
    }
    return false;
  }

  /** Not supported: an execution's outcome is final. */
  @Override
  public void obtrudeValue(O value) {
    throw new UnsupportedOperationException("the outcome of a task execution cannot be overwritten");
  }

  /** Not supported: an execution's outcome is final. */
  @Override
  public void obtrudeException(Throwable ex) {
    throw new UnsupportedOperationException("the outcome of a task execution cannot be overwritten");
  }

  /**
   * Ends a running execution's claim on its canceller: after this returns the canceller will not
   * be invoked, and one that was being invoked has returned.
   */
  private void detach() {
    int s = (int) STATE.getVolatile(this);
    if (s == RUNNING && STATE.compareAndSet(this, RUNNING, FINISHED)) {
      canceller = null;
      return;
    }
    if (s == STOPPING || (int) STATE.getVolatile(this) == STOPPING) {
      if (canceller == Thread.currentThread()) {
        return; // the canceller completes the future itself
      }
      int spins = 0;
      while ((int) STATE.getVolatile(this) == STOPPING) {
        if (++spins < 64) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
      }
    }
  }

  /**
   * Cancels the execution. A queued one will never run; a running one is stopped with the
   * canceller given to {@link #tryStart} when {@code mayInterruptIfRunning}.
   *
   * @return true if this call cancelled it, false if it was already done
   */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (isDone()) {
      return false;
    }
    CancellationException ce = new CancellationException(describe() + " was cancelled");
    if (!super.completeExceptionally(ce)) {
      return false;
    }
    boolean wasRunning;
    while (true) {
      int s = (int) STATE.getVolatile(this);
      if (s == QUEUED) {
        if (STATE.compareAndSet(this, QUEUED, CANCELLED_QUEUED)) {
          wasRunning = false;
          break;
        }
      } else if (s == RUNNING && mayInterruptIfRunning) {
        if (STATE.compareAndSet(this, RUNNING, STOPPING)) {
          wasRunning = true;
          Runnable stop = (Runnable) canceller;
          canceller = Thread.currentThread();
          try {
            if (stop != null) {
              stop.run();
            }
          } catch (RuntimeException e) {
            LOG.warn("stopping cancelled {} failed", describe(), e);
          } finally {
            canceller = null;
            STATE.setVolatile(this, STOPPED);
          }
          break;
        }
      } else {
        wasRunning = s != CANCELLED_QUEUED;
        break;
      }
    }
    try {
      onCancelled(wasRunning);
    } catch (RuntimeException e) {
      LOG.warn("cancellation hook of {} failed", describe(), e);
    }
    fireCallbacks();
    return true;
  }

  /**
   * Called once when {@link #cancel} ended this future, before the done-callbacks run.
   *
   * @param wasStarted false if it was still queued (it will never run)
   */
  protected void onCancelled(boolean wasStarted) {}

  @Override
  public TaskFuture<O> onDone(Consumer<? super TaskFuture<O>> callback) {
    Objects.requireNonNull(callback, "callback");
    while (true) {
      Object cur = CALLBACKS.getVolatile(this);
      if (cur == FIRED || isDone()) {
        runCallback(callback);
        return this;
      }
      Object next;
      if (cur == null) {
        next = callback;
      } else if (cur instanceof Object[] arr) {
        Object[] copy = Arrays.copyOf(arr, arr.length + 1);
        copy[arr.length] = callback;
        next = copy;
      } else {
        next = new Object[] {cur, callback};
      }
      if (CALLBACKS.compareAndSet(this, cur, next)) {
        if (isDone()) {
          fireCallbacks(); // the completer may have looked before this CAS
        }
        return this;
      }
    }
  }

  /**
   * Removes a callback added with {@link #onDone} that has not run yet (compared by identity), so
   * that a waiter that gave up does not stay referenced.
   *
   * @return true if it was removed before running
   */
  public boolean removeOnDone(Consumer<? super TaskFuture<O>> callback) {
    while (true) {
      Object cur = CALLBACKS.getVolatile(this);
      Object next;
      if (cur == null || cur == FIRED) {
        return false;
      } else if (cur == callback) {
        next = null;
      } else if (cur instanceof Object[] arr) {
        int i = 0;
        while (i < arr.length && arr[i] != callback) {
          i++;
        }
        if (i == arr.length) {
          return false;
        }
        if (arr.length == 2) {
          next = arr[1 - i];
        } else {
          Object[] copy = new Object[arr.length - 1];
          System.arraycopy(arr, 0, copy, 0, i);
          System.arraycopy(arr, i + 1, copy, i, arr.length - i - 1);
          next = copy;
        }
      } else {
        return false;
      }
      if (CALLBACKS.compareAndSet(this, cur, next)) {
        return true;
      }
    }
  }

  /**
   * Runs the pending callbacks once. Called after the outcome was set. A completer that sees no
   * callback skips the atomic swap: an {@link #onDone} that registers concurrently re-checks
   * {@link #isDone()} after its CAS and fires itself (both sides write, then read, volatile
   * state, so at least one of them sees the other).
   */
  private void fireCallbacks() {
    if (CALLBACKS.getVolatile(this) == null) {
      return;
    }
    Object cbs = CALLBACKS.getAndSet(this, FIRED);
    if (cbs == null || cbs == FIRED) {
      return;
    }
    if (cbs instanceof Object[] arr) {
      for (Object cb : arr) {
        runCallback(cb);
      }
    } else {
      runCallback(cbs);
    }
  }

  @SuppressWarnings("unchecked")
  private void runCallback(Object cb) {
    try {
      ((Consumer<? super TaskFuture<O>>) cb).accept(this);
    } catch (Throwable t) {
      LOG.warn("done-callback of {} threw; ignored", describe(), t);
    }
  }

  @Override
  public O result() {
    try {
      return get();
    } catch (CancellationException e) {
      throw cancelled(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskInterruptedException("interrupted while waiting for " + describe(), e);
    } catch (ExecutionException e) {
      throw failed(e.getCause());
    }
  }

  @Override
  public O result(Duration timeout) {
    try {
      return get(toNanos(timeout), TimeUnit.NANOSECONDS);
    } catch (CancellationException e) {
      throw cancelled(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskInterruptedException("interrupted while waiting for " + describe(), e);
    } catch (ExecutionException e) {
      throw failed(e.getCause());
    } catch (TimeoutException e) {
      throw new TaskTimeoutException(describe() + " not done within " + timeout);
    }
  }

  @Override
  public @Nullable Throwable exception(Duration timeout) {
    try {
      get(toNanos(timeout), TimeUnit.NANOSECONDS);
      return null;
    } catch (CancellationException e) {
      throw cancelled(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskInterruptedException("interrupted while waiting for " + describe(), e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      return c instanceof TaskFailedException tfe && tfe.getCause() != null ? tfe.getCause() : c;
    } catch (TimeoutException e) {
      throw new TaskTimeoutException(describe() + " not done within " + timeout);
    }
  }

  private CancellationException cancelled(CancellationException e) {
    CancellationException ce = new CancellationException(describe() + " was cancelled");
    ce.initCause(e);
    return ce;
  }

  private static long toNanos(Duration d) {
    Objects.requireNonNull(d, "timeout");
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private TaskFailedException failed(@Nullable Throwable cause) {
    return cause instanceof TaskFailedException tfe ? tfe : new TaskFailedException(taskName, id(), cause);
  }

  /** "execution ID of task 'NAME'", for messages. */
  protected String describe() {
    return "execution " + id() + " of task '" + taskName + "'";
  }

  /** A copy that follows this future; completing the copy does not affect the execution. */
  @Override
  public CompletableFuture<O> toCompletableFuture() {
    return copy();
  }

  @Override
  public String toString() {
    String s = isDone() ? state().name() : isStarted() ? "RUNNING" : "QUEUED";
    return "TaskFuture[" + taskName + " #" + id() + " " + s + "]";
  }
}
