package dev.spindle.spi;

import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.TaskInterruptedException;
import dev.spindle.TaskTimeoutException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link TaskFuture} every executor backend completes. Thread-safe.
 *
 * <p>Life cycle: <em>queued</em> → {@link #tryStart(Runnable)} → <em>running</em> →
 * {@link #succeed}/{@link #fail}; {@link #cancel} may end it from queued or running. A backend
 * calls {@code tryStart} before running the code and skips the execution when it returns false
 * (cancelled while queued, so it never runs). The {@code canceller} given to {@code tryStart} is
 * how a running execution is stopped: interrupt the thread, or kill the worker process. It is
 * invoked at most once, under this future's lock, and never after the execution completed, so it
 * cannot hit a thread that has moved on to other work.
 *
 * <p>A backend running executions on its own threads must clear a stale interrupt after completing
 * ({@link Thread#interrupted()}), as {@link java.util.concurrent.FutureTask} does.
 */
public class CompletableTaskFuture<O> extends CompletableFuture<O> implements TaskFuture<O> {
  private static final Logger LOG = LoggerFactory.getLogger(CompletableTaskFuture.class);
  private static final Object FIRED = new Object();
  private static final int QUEUED = 0;
  private static final int RUNNING = 1;
  private static final VarHandle PHASE;

  static {
    try {
      PHASE = MethodHandles.lookup().findVarHandle(CompletableTaskFuture.class, "phase", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String id;
  private final String taskName;
  @SuppressWarnings("unused") // via PHASE
  private volatile int phase;
  /** Guarded by this: null, one Consumer, a List of them, or FIRED. */
  private Object callbacks;
  /** Guarded by this: how to stop the running execution; null when not running. */
  private Runnable canceller;

  public CompletableTaskFuture(String id, String taskName) {
    this.id = id;
    this.taskName = taskName;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String taskName() {
    return taskName;
  }

  /**
   * Marks the execution as running.
   *
   * @param canceller how to stop it if cancelled while running; may be null
   * @return false if it was already cancelled (do not run it)
   */
  public boolean tryStart(Runnable canceller) {
    if (!PHASE.compareAndSet(this, QUEUED, RUNNING)) {
      return false;
    }
    if (canceller != null) {
      synchronized (this) {
        if (isDone()) {
          return false;
        }
        this.canceller = canceller;
      }
    }
    return !isDone();
  }

  @Override
  public boolean isStarted() {
    return (int) PHASE.getVolatile(this) == RUNNING;
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
    if (super.complete(value)) {
      afterCompletion();
      return true;
    }
    return false;
  }

  @Override
  public boolean completeExceptionally(Throwable ex) {
    if (super.completeExceptionally(ex)) {
      afterCompletion();
      return true;
    }
    return false;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (isDone()) {
      return false;
    }
    CancellationException ce = new CancellationException(
        "execution " + id + " of task '" + taskName + "' was cancelled");
    if (!super.completeExceptionally(ce)) {
      return false;
    }
    Runnable stop;
    synchronized (this) {
      stop = canceller;
      canceller = null;
      if (stop != null && mayInterruptIfRunning) {
        try {
          stop.run();
        } catch (RuntimeException e) {
          LOG.warn("stopping cancelled execution {} of {} failed", id, taskName, e);
        }
      }
    }
    fireCallbacks();
    return true;
  }

  private void afterCompletion() {
    synchronized (this) {
      canceller = null;
    }
    fireCallbacks();
  }

  @Override
  public TaskFuture<O> onDone(Consumer<? super TaskFuture<O>> callback) {
    java.util.Objects.requireNonNull(callback, "callback");
    synchronized (this) {
      if (callbacks != FIRED) {
        if (callbacks == null) {
          callbacks = callback;
        } else if (callbacks instanceof List<?> list) {
          @SuppressWarnings("unchecked")
          List<Object> l = (List<Object>) list;
          l.add(callback);
        } else {
          List<Object> l = new ArrayList<>(4);
          l.add(callbacks);
          l.add(callback);
          callbacks = l;
        }
        return this;
      }
    }
    runCallback(callback);
    return this;
  }

  private void fireCallbacks() {
    Object cbs;
    synchronized (this) {
      cbs = callbacks;
      callbacks = FIRED;
    }
    if (cbs == null || cbs == FIRED) {
      return;
    }
    if (cbs instanceof List<?> list) {
      for (Object cb : list) {
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
      LOG.warn("done-callback of execution {} of task '{}' threw; ignored", id, taskName, t);
    }
  }

  @Override
  public O result() {
    try {
      return get();
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
  public Throwable exception(Duration timeout) {
    try {
      get(toNanos(timeout), TimeUnit.NANOSECONDS);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskInterruptedException("interrupted while waiting for " + describe(), e);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new TaskTimeoutException(describe() + " not done within " + timeout);
    }
  }

  private static long toNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private TaskFailedException failed(Throwable cause) {
    return cause instanceof TaskFailedException tfe ? tfe : new TaskFailedException(taskName, id, cause);
  }

  private String describe() {
    return "execution " + id + " of task '" + taskName + "'";
  }

  /** A copy that follows this future; completing the copy does not affect the execution. */
  @Override
  public CompletableFuture<O> toCompletableFuture() {
    return copy();
  }

  @Override
  public String toString() {
    String s = isDone() ? state().name() : isStarted() ? "RUNNING" : "QUEUED";
    return "TaskFuture[" + taskName + " #" + id + " " + s + "]";
  }
}
