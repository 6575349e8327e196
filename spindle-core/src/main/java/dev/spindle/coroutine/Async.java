package dev.spindle.coroutine;

import dev.spindle.Futures;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.coroutine.internal.Scheduler;
import dev.spindle.coroutine.internal.Strand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's module functions, for code running in a coroutine of an {@link EventLoop}: each call
 * that waits <em>suspends</em> the calling coroutine and lets the loop run others, unlike a
 * blocking call. Every method throws {@link IllegalStateException} when called outside a coroutine,
 * and every suspending one throws {@link CancellationException} when the calling task is cancelled
 * meanwhile (catch it to clean up; let it propagate to end the task cancelled).
 *
 * <table>
 *   <caption>asyncio to Spindle</caption>
 *   <tr><th>asyncio</th><th>here</th></tr>
 *   <tr><td>{@code asyncio.run(main())}</td><td>{@link EventLoop#run(Coroutine)}</td></tr>
 *   <tr><td>{@code create_task(coro)}</td><td>{@link #createTask(Coroutine)}</td></tr>
 *   <tr><td>{@code await task}</td><td>{@link AsyncTask#await()}</td></tr>
 *   <tr><td>{@code await asyncio.sleep(d)} / {@code sleep(0)}</td><td>{@link #sleep(Duration)} / {@link #yieldNow()}</td></tr>
 *   <tr><td>{@code gather(*aws)}</td><td>{@link #gather(List)}</td></tr>
 *   <tr><td>{@code wait(aws, timeout, return_when)}</td><td>{@link #wait(Collection, Duration, Futures.ReturnWhen)}</td></tr>
 *   <tr><td>{@code as_completed(aws, timeout)}</td><td>{@link #asCompleted(Collection, Duration)}</td></tr>
 *   <tr><td>{@code wait_for(aw, timeout)}</td><td>{@link #waitFor(Coroutine, Duration)}</td></tr>
 *   <tr><td>{@code async with TaskGroup() as tg}</td><td>{@link #withTaskGroup(TaskGroup.Body)}</td></tr>
 *   <tr><td>{@code loop.run_in_executor(ex, f, x)}</td><td>{@link #runInExecutor(TaskExecutor, Task, Object)}, {@link #runInExecutor(ExecutorService, Callable)}</td></tr>
 *   <tr><td>{@code to_thread(f)}</td><td>{@link #toThread(Callable)}</td></tr>
 *   <tr><td>{@code await fut} (a future from another thread)</td><td>{@link #await(CompletableFuture)}</td></tr>
 * </table>
 */
public final class Async {
  private Async() {}

  // ------------------------------------------------------------------ plumbing

  static Strand requireStrand() {
    Strand s = Scheduler.current();
    if (s == null) {
      throw new IllegalStateException("not inside a coroutine: call this from code run by an EventLoop");
    }
    return s;
  }

  static Strand requireStrand(EventLoop loop) {
    Strand s = requireStrand();
    if (s.scheduler() != loop.scheduler()) {
      throw new IllegalStateException("this object belongs to event loop '" + loop.name()
          + "', not to the loop of the calling coroutine");
    }
    return s;
  }

  /** Suspends until {@code cf} completes; on cancellation runs {@code onCancel} and rethrows. */
  static void suspendUntil(Strand me, CompletableFuture<?> cf, Runnable onCancel) {
    Scheduler sch = me.scheduler();
    long token = sch.prepare(me);
    cf.whenComplete((v, e) -> sch.wake(me, token));
    try {
      sch.suspend(me);
    } catch (CancellationException e) {
      onCancel.run();
      throw e;
    }
  }

  /** Suspends until any of {@code cfs} completes or {@code nanos} pass (no limit when negative). */
  static void suspendUntilAny(Strand me, Collection<? extends CompletableFuture<?>> cfs, long nanos) {
    Scheduler sch = me.scheduler();
    long token = sch.prepare(me);
    for (CompletableFuture<?> cf : cfs) {
      cf.whenComplete((v, e) -> sch.wake(me, token));
    }
    ScheduledFuture<?> timer = nanos >= 0 ? sch.wakeAfter(me, token, nanos) : null;
    try {
      sch.suspend(me);
    } finally {
      if (timer != null) {
        timer.cancel(false);
      }
    }
  }

  private static long nanos(@Nullable Duration d) {
    if (d == null) {
      return -1;
    }
    try {
      return Math.max(0, d.toNanos());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static <T> T unwrap(CompletableFuture<T> cf) {
    try {
      return cf.join();
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

  // ------------------------------------------------------------------ basics

  /** The task of the calling coroutine (asyncio's {@code current_task()}). */
  public static AsyncTask<?> currentTask() {
    Strand s = requireStrand();
    if (!(s.attachment() instanceof AsyncTask<?> t)) {
      throw new IllegalStateException("not inside a coroutine task");
    }
    return t;
  }

  /** Schedules a coroutine on the calling coroutine's loop ({@code create_task}); it starts later. */
  public static <T> AsyncTask<T> createTask(Coroutine<T> coroutine) {
    return EventLoop.current().createTask(coroutine);
  }

  /** Schedules a named coroutine on the calling coroutine's loop. */
  public static <T> AsyncTask<T> createTask(String name, Coroutine<T> coroutine) {
    return EventLoop.current().createTask(name, coroutine);
  }

  /**
   * Suspends for {@code duration} ({@code await asyncio.sleep(d)}); zero or negative is
   * {@link #yieldNow()}. Other coroutines run meanwhile, unlike {@link Thread#sleep}.
   */
  public static void sleep(Duration duration) {
    Strand me = requireStrand();
    long n = nanos(Objects.requireNonNull(duration, "duration"));
    if (n == 0) {
      me.scheduler().yieldNow(me);
      return;
    }
    suspendUntilAny(me, List.of(), n);
  }

  /**
   * {@code await asyncio.sleep(0)}: lets every other coroutine that is ready run once, then goes on
   * (at once if none is ready). The cheap way for a long computation to keep the loop responsive.
   */
  public static void yieldNow() {
    Strand me = requireStrand();
    me.scheduler().yieldNow(me);
  }

  // ------------------------------------------------------------------ combinators

  /**
   * Awaits every task and returns their results in the given order ({@code gather}). If one fails,
   * its exception is thrown as soon as it is known and the others go on; if one was cancelled,
   * {@link CancellationException} is thrown; if the caller is cancelled, every task is cancelled.
   */
  public static <T> List<T> gather(List<? extends AsyncTask<? extends T>> tasks) {
    try {
      wait(tasks, null, Futures.ReturnWhen.FIRST_EXCEPTION);
    } catch (CancellationException e) {
      for (AsyncTask<? extends T> t : tasks) {
        t.cancel();
      }
      throw e;
    }
    for (AsyncTask<? extends T> t : tasks) {
      if (t.failed()) {
        t.result(); // throws its exception
      }
    }
    List<T> out = new ArrayList<>(tasks.size());
    for (AsyncTask<? extends T> t : tasks) {
      out.add(t.await());
    }
    return out;
  }

  /** Schedules each coroutine as a task and {@link #gather(List) gathers} them. */
  @SafeVarargs
  public static <T> List<T> gather(Coroutine<? extends T>... coroutines) {
    List<AsyncTask<? extends T>> tasks = new ArrayList<>();
    for (Coroutine<? extends T> c : coroutines) {
      tasks.add(createTask(c));
    }
    return gather(tasks);
  }

  /**
   * Waits until {@code returnWhen} holds or {@code timeout} passes (null: no limit) and tells which
   * tasks were done ({@code asyncio.wait}). Nothing is cancelled on timeout. FIRST_EXCEPTION counts
   * a failure, not a cancellation. Both sets keep the input order.
   */
  public static <T extends AsyncTask<?>> Futures.DoneAndNotDone<T> wait(
      Collection<? extends T> tasks, @Nullable Duration timeout, Futures.ReturnWhen returnWhen) {
    Strand me = requireStrand();
    Objects.requireNonNull(returnWhen, "returnWhen");
    List<T> all = List.copyOf(tasks);
    long limit = nanos(timeout);
    long deadline = System.nanoTime() + limit;
    while (true) {
      List<CompletableFuture<?>> pending = new ArrayList<>();
      boolean anyDone = false;
      boolean anyFailed = false;
      for (T t : all) {
        if (t.isDone()) {
          anyDone = true;
          anyFailed |= t.failed();
        } else {
          pending.add(t.outcome());
        }
      }
      boolean holds = pending.isEmpty()
          || (returnWhen == Futures.ReturnWhen.FIRST_COMPLETED && anyDone)
          || (returnWhen == Futures.ReturnWhen.FIRST_EXCEPTION && anyFailed);
      long left = limit < 0 ? -1 : deadline - System.nanoTime();
      if (holds || (limit >= 0 && left <= 0)) {
        Set<T> done = new LinkedHashSet<>();
        Set<T> notDone = new LinkedHashSet<>();
        for (T t : all) {
          (t.isDone() ? done : notDone).add(t);
        }
        return new Futures.DoneAndNotDone<>(java.util.Collections.unmodifiableSet(done),
            java.util.Collections.unmodifiableSet(notDone));
      }
      suspendUntilAny(me, pending, left);
    }
  }

  /**
   * The tasks as they complete ({@code as_completed}): those already done first (in input order),
   * then in completion order. {@code next()} suspends the calling coroutine.
   *
   * @param timeout for the whole iteration (null: none); when it runs out, {@code next()} throws
   *     {@link AsyncTimeoutException} naming how many were yielded
   */
  public static <T extends AsyncTask<?>> Iterator<T> asCompleted(Collection<? extends T> tasks, @Nullable Duration timeout) {
    Strand me = requireStrand();
    List<T> all = List.copyOf(tasks);
    ConcurrentLinkedQueue<T> finished = new ConcurrentLinkedQueue<>();
    Set<T> notYet = new LinkedHashSet<>();
    for (T t : all) {
      if (t.isDone()) {
        finished.add(t);
      } else {
        notYet.add(t);
      }
    }
    for (T t : List.copyOf(notYet)) {
      t.outcome().whenComplete((v, e) -> finished.add(t));
    }
    long limit = nanos(timeout);
    long deadline = System.nanoTime() + limit;
    return new Iterator<>() {
      private int yielded;
      private final Set<T> given = new java.util.HashSet<>();

      @Override
      public boolean hasNext() {
        return yielded < all.size();
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        while (true) {
          T t = finished.poll();
          if (t != null) {
            if (given.add(t)) {
              yielded++;
              return t;
            }
            continue;
          }
          long left = limit < 0 ? -1 : deadline - System.nanoTime();
          if (limit >= 0 && left <= 0) {
            throw new AsyncTimeoutException("as_completed: " + yielded + " of " + all.size()
                + " tasks completed within " + timeout);
          }
          List<CompletableFuture<?>> pending = new ArrayList<>();
          for (T x : all) {
            if (!x.isDone()) {
              pending.add(x.outcome());
            }
          }
          suspendUntilAny(me, pending, left);
        }
      }
    };
  }

  /**
   * Awaits a task for at most {@code timeout} ({@code wait_for}); on timeout the task is cancelled,
   * its end awaited, and {@link AsyncTimeoutException} thrown. If the caller is cancelled, so is the
   * task.
   */
  public static <T> T waitFor(AsyncTask<T> task, Duration timeout) {
    Strand me = requireStrand();
    long limit = nanos(Objects.requireNonNull(timeout, "timeout"));
    if (!task.isDone()) {
      try {
        suspendUntilAny(me, List.of(task.outcome()), limit);
      } catch (CancellationException e) {
        task.cancel();
        throw e;
      }
      if (!task.isDone()) {
        task.cancel();
        while (!task.isDone()) {
          suspendUntil(me, task.outcome(), () -> { });
        }
        if (task.isCancelled()) {
          throw new AsyncTimeoutException("task " + task.name() + " timed out after " + timeout + " and was cancelled");
        }
      }
    }
    return task.result();
  }

  /** Schedules the coroutine and {@link #waitFor(AsyncTask, Duration) waits for it} with a timeout. */
  public static <T> T waitFor(Coroutine<T> coroutine, Duration timeout) {
    return waitFor(createTask(coroutine), timeout);
  }

  // ------------------------------------------------------------------ task groups

  /**
   * asyncio's {@code TaskGroup}: runs {@code body}, which creates tasks in the group, then awaits
   * every one of them. The first task that fails cancels the others and the body; the failures are
   * thrown together in a {@link TaskGroupException} once all have ended.
   *
   * @return what the body returned
   */
  public static <T> T withTaskGroup(TaskGroup.Body<T> body) {
    Objects.requireNonNull(body, "body");
    return TaskGroup.run(requireStrand(), EventLoop.current(), body);
  }

  /**
   * {@code await fut} for a future from outside the loop (an HTTP client's {@code sendAsync}, a
   * {@link CompletableFuture} of any library; asyncio's {@code wrap_future}): suspends the calling
   * coroutine until {@code future} completes; the loop runs other coroutines meanwhile. If the
   * caller is cancelled, the future is cancelled too.
   *
   * @return the future's value
   * @throws RuntimeException what the future failed with (a checked cause in a {@link CompletionException})
   * @throws CancellationException if the future or the caller was cancelled
   */
  public static <T> T await(CompletableFuture<T> future) {
    Objects.requireNonNull(future, "future");
    Strand me = requireStrand();
    if (!future.isDone()) {
      suspendUntil(me, future.handle((v, e) -> null), () -> future.cancel(true));
    }
    return unwrap(future);
  }

  // ------------------------------------------------------------------ offloading

  /**
   * {@code loop.run_in_executor(executor, fn, arg)} for a Spindle executor (THREADS, PROCESSES,
   * ...): submits the task and suspends until it is done; the loop runs other coroutines meanwhile.
   * If the caller is cancelled, the execution is cancelled too.
   *
   * @throws dev.spindle.TaskFailedException if the task threw
   */
  public static <I, O> O runInExecutor(TaskExecutor executor, Task<I, O> task, I input) {
    Strand me = requireStrand();
    TaskFuture<O> f = executor.submit(task, input);
    if (!f.isDone()) {
      suspendUntil(me, f.toCompletableFuture().exceptionally(e -> null), () -> f.cancel(true));
    }
    return f.result();
  }

  /**
   * {@code loop.run_in_executor(executor, fn)} for any {@link ExecutorService}: runs the callable
   * there and suspends until it returns.
   *
   * @throws RuntimeException what the callable threw (checked ones in a {@link CompletionException})
   */
  public static <T> T runInExecutor(ExecutorService executor, Callable<T> callable) {
    Strand me = requireStrand();
    CompletableFuture<T> cf = new CompletableFuture<>();
    Future<?> f = executor.submit(() -> {
      try {
        cf.complete(callable.call());
      } catch (Throwable t) {
        cf.completeExceptionally(t);
      }
    });
    suspendUntil(me, cf, () -> f.cancel(true));
    return unwrap(cf);
  }

  /**
   * {@code asyncio.to_thread(fn)} / {@code run_in_executor(None, fn)}: runs a blocking callable on
   * the loop's default executor ({@link EventLoop#defaultExecutor()}) and suspends until it returns.
   */
  public static <T> T toThread(Callable<T> callable) {
    return runInExecutor(EventLoop.current().defaultExecutor().asExecutorService(), callable);
  }
}
