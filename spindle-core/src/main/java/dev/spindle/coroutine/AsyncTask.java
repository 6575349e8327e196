package dev.spindle.coroutine;

import dev.spindle.coroutine.internal.Scheduler;
import dev.spindle.coroutine.internal.Strand;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code Task}: a coroutine scheduled on an {@link EventLoop}, and the future of its
 * result. Created by {@link EventLoop#createTask} or {@link Async#createTask}, it is already
 * scheduled: it starts when the loop gets to it, without a {@code start()}.
 *
 * <p>{@link #result()}, {@link #exception()}, {@link #isDone()} and {@link #cancel()} never block
 * (as in asyncio); {@link #await()} suspends the calling coroutine; {@link #join()} blocks a thread
 * that is <em>not</em> one of the loop's coroutines. Cancelling asks for a
 * {@link CancellationException} at the coroutine's next suspension point (before its first step if
 * it has not started, so its body then never runs); the coroutine may catch it to clean up, and the
 * task ends cancelled if the exception leaves the body. Thread-safe.
 *
 * @param <T> the coroutine's result
 */
public final class AsyncTask<T> {
  private final EventLoop loop;
  private final String name;
  private final CompletableFuture<T> outcome = new CompletableFuture<>();
  private volatile @Nullable Strand strand;
  private volatile boolean started;

  AsyncTask(EventLoop loop, String name) {
    this.loop = loop;
    this.name = name;
  }

  void bind(Strand s) {
    this.strand = s;
  }

  /** Runs on the strand, holding the baton. */
  void run(Strand s, Coroutine<T> body) {
    if (s.takeCancel()) {
      outcome.cancel(false); // cancelled before its first step: the body never runs
      return;
    }
    started = true;
    try {
      T v = body.call();
      outcome.complete(v);
    } catch (CancellationException e) {
      outcome.cancel(false);
    } catch (Throwable t) {
      outcome.completeExceptionally(t);
    }
  }

  /** The task's name ({@code Task-<n>} unless given). */
  public String name() {
    return name;
  }

  /** The loop it runs on. */
  public EventLoop loop() {
    return loop;
  }

  /** True once its coroutine has taken its first step. */
  public boolean isStarted() {
    return started;
  }

  /** True once it returned, threw or was cancelled. */
  public boolean isDone() {
    return outcome.isDone();
  }

  /** True if it ended cancelled. */
  public boolean isCancelled() {
    return outcome.isCancelled();
  }

  /**
   * Asks for cancellation (asyncio's {@code Task.cancel()}): delivered at the next suspension point.
   * A coroutine blocked in a call that does not suspend (a {@code Thread.sleep}) is not
   * interrupted; it sees the cancellation when it next suspends.
   *
   * @return false if already done
   */
  public boolean cancel() {
    return cancel(false);
  }

  /**
   * Asks for cancellation; with {@code interrupt}, a coroutine blocked in a call that does not
   * suspend is also interrupted (the Java extension the executor view uses).
   *
   * @return false if already done
   */
  public boolean cancel(boolean interrupt) {
    if (outcome.isDone()) {
      return false;
    }
    Strand s = strand;
    if (s != null) {
      s.scheduler().cancel(s, interrupt);
    }
    return true;
  }

  /**
   * The result, without waiting (asyncio's {@code result()}).
   *
   * @throws IllegalStateException if not done yet
   * @throws CancellationException if it was cancelled
   * @throws RuntimeException the coroutine's exception if unchecked, else a
   *     {@link CompletionException} around it
   */
  public T result() {
    if (!outcome.isDone()) {
      throw new IllegalStateException("result is not set: task " + name + " is not done");
    }
    return report();
  }

  /**
   * The exception the coroutine threw, without waiting; null if it returned.
   *
   * @throws IllegalStateException if not done yet
   * @throws CancellationException if it was cancelled
   */
  public @Nullable Throwable exception() {
    if (!outcome.isDone()) {
      throw new IllegalStateException("exception is not set: task " + name + " is not done");
    }
    if (outcome.isCancelled()) {
      throw new CancellationException("task " + name + " was cancelled");
    }
    try {
      outcome.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  /**
   * Suspends the calling coroutine until this task is done and returns its result ({@code await
   * task}). If the caller is cancelled while waiting, this task is cancelled too (as in asyncio).
   *
   * @throws IllegalStateException if not called from a coroutine of this task's loop
   * @throws CancellationException if this task was cancelled, or the caller was
   */
  public T await() {
    if (!outcome.isDone()) {
      Strand me = Async.requireStrand(loop);
      Async.suspendUntil(me, outcome, () -> cancel(false));
    }
    return report();
  }

  /**
   * Blocks the calling thread, which must not be a coroutine of this loop (it would block the loop
   * forever), until done.
   *
   * @throws IllegalStateException if called from a coroutine of this loop
   */
  public T join() {
    refuseInsideLoop();
    try {
      outcome.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while joining task " + name);
    } catch (ExecutionException | CancellationException e) {
      // reported below
    }
    return report();
  }

  /**
   * {@link #join()} for at most {@code timeout}.
   *
   * @throws AsyncTimeoutException if not done in time (the task goes on)
   */
  public T join(Duration timeout) {
    refuseInsideLoop();
    try {
      outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while joining task " + name);
    } catch (TimeoutException e) {
      throw new AsyncTimeoutException("task " + name + " not done after " + timeout);
    } catch (ExecutionException | CancellationException e) {
      // reported below
    }
    return report();
  }

  private void refuseInsideLoop() {
    Strand me = Scheduler.current();
    if (me != null && me.scheduler() == loop.scheduler()) {
      throw new IllegalStateException("join() from a coroutine would block its own loop forever; use await()");
    }
  }

  /**
   * Runs {@code callback} once done (at once, on the calling thread, if already done); otherwise on
   * the thread that completes the task, which is the task's own coroutine: keep it short and
   * non-blocking.
   */
  public AsyncTask<T> addDoneCallback(Consumer<? super AsyncTask<T>> callback) {
    Objects.requireNonNull(callback, "callback");
    outcome.whenComplete((v, e) -> callback.accept(this));
    return this;
  }

  /** A copy of the outcome for non-loop code; completing the copy does not affect the task. */
  public CompletableFuture<T> toCompletableFuture() {
    return outcome.copy();
  }

  CompletableFuture<T> outcome() {
    return outcome;
  }

  boolean failed() {
    return outcome.isCompletedExceptionally() && !outcome.isCancelled();
  }

  private T report() {
    if (outcome.isCancelled()) {
      throw new CancellationException("task " + name + " was cancelled");
    }
    try {
      return outcome.join();
    } catch (CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** asyncio's repr: {@code <Task pending name='Task-2'>}, {@code finished}, {@code cancelled}. */
  @Override
  public String toString() {
    String state = !outcome.isDone() ? "pending" : outcome.isCancelled() ? "cancelled" : "finished";
    return "<Task " + state + " name='" + name + "'>";
  }
}
