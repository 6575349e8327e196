package dev.spindle.coroutine;

import dev.spindle.coroutine.internal.Strand;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code TaskGroup}, opened by {@link Async#withTaskGroup}: tasks created in it are
 * awaited before the group ends. When one fails (throws anything but a cancellation) every other
 * task of the group is cancelled and so is the body (at its next suspension point); when all have
 * ended, the failures are thrown in a {@link TaskGroupException}. A cancellation of the coroutine
 * that owns the group cancels its tasks and is rethrown after they ended. Used only by the
 * coroutine that opened it (not thread-safe, like everything that runs on one loop).
 */
public final class TaskGroup {
  /** The body of a task group. */
  @FunctionalInterface
  public interface Body<T> {
    /**
     * Creates tasks in {@code group} and may await them.
     *
     * @throws Exception anything; it cancels the group's tasks
     */
    @Nullable T run(TaskGroup group) throws Exception;
  }

  private final Strand owner;
  private final EventLoop loop;
  private final List<AsyncTask<?>> tasks = new ArrayList<>();
  private final List<Throwable> errors = new ArrayList<>();
  private boolean aborting;
  private boolean bodyRunning = true;
  private boolean exited;

  private TaskGroup(Strand owner, EventLoop loop) {
    this.owner = owner;
    this.loop = loop;
  }

  /** Schedules a coroutine as a task of this group. */
  public <T> AsyncTask<T> createTask(Coroutine<T> coroutine) {
    return add(loop.createTask(coroutine));
  }

  /** Schedules a named coroutine as a task of this group. */
  public <T> AsyncTask<T> createTask(String name, Coroutine<T> coroutine) {
    return add(loop.createTask(name, coroutine));
  }

  private <T> AsyncTask<T> add(AsyncTask<T> t) {
    if (exited) {
      t.cancel();
      throw new IllegalStateException("this TaskGroup has ended");
    }
    if (aborting) {
      t.cancel();
    }
    tasks.add(t);
    t.addDoneCallback(this::childDone);
    return t;
  }

  /** The group's tasks so far, in creation order. */
  public List<AsyncTask<?>> tasks() {
    return List.copyOf(tasks);
  }

  private synchronized void childDone(AsyncTask<?> t) {
    if (t.failed()) {
      errors.add(java.util.Objects.requireNonNull(t.exception()));
      abort();
    }
  }

  private synchronized void abort() {
    if (aborting) {
      return;
    }
    aborting = true;
    for (AsyncTask<?> t : tasks) {
      t.cancel();
    }
    if (bodyRunning) {
      owner.scheduler().cancel(owner, false);
    }
  }

  static <T> T run(Strand owner, EventLoop loop, Body<T> body) {
    TaskGroup g = new TaskGroup(owner, loop);
    T result = null;
    CancellationException outerCancel = null;
    Throwable bodyError = null;
    try {
      result = body.run(g);
    } catch (CancellationException e) {
      if (!g.abortedByChild()) {
        outerCancel = e;
      }
      g.abort();
    } catch (Throwable t) {
      bodyError = t;
      g.abort();
    }
    synchronized (g) {
      g.bodyRunning = false;
    }
    while (true) {
      List<AsyncTask<?>> pending = new ArrayList<>();
      for (AsyncTask<?> t : g.tasks) {
        if (!t.isDone()) {
          pending.add(t);
        }
      }
      if (pending.isEmpty()) {
        break;
      }
      try {
        Async.wait(pending, null, dev.spindle.Futures.ReturnWhen.ALL_COMPLETED);
      } catch (CancellationException e) {
        if (!g.abortedByChild() && outerCancel == null) {
          outerCancel = e;
        }
        g.abort();
      }
    }
    g.exited = true;
    if (g.abortedByChild()) {
      owner.takeCancel(); // a cancellation the group sent to its own body is spent
    }
    List<Throwable> all = new ArrayList<>();
    if (bodyError != null) {
      all.add(bodyError);
    }
    synchronized (g) {
      all.addAll(g.errors);
    }
    if (outerCancel != null) {
      throw outerCancel;
    }
    if (!all.isEmpty()) {
      throw new TaskGroupException(all);
    }
    return castNullable(result);
  }

  private synchronized boolean abortedByChild() {
    return !errors.isEmpty();
  }

  @SuppressWarnings("NullAway")
  private static <T> T castNullable(@Nullable T t) {
    return t;
  }
}
