package dev.spindle.coroutine;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.coroutine.internal.Scheduler;
import dev.spindle.coroutine.internal.Strand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's event loop: runs coroutines cooperatively, one at a time. Each coroutine runs on its
 * own virtual thread, but only while it holds the loop; it hands the loop on only where it suspends
 * (through {@link Async}, {@link AsyncTask#await()} or the loop's primitives). Nothing runs in
 * parallel, so coroutines of one loop need no locks between suspension points, and a call that
 * blocks without suspending ({@code Thread.sleep}, a CPU loop, blocking IO) blocks every other
 * coroutine of the loop until it returns, as the texts warn. Offload such calls with
 * {@link Async#runInExecutor} or {@link Async#toThread}.
 *
 * <pre>{@code
 * String answer = EventLoop.run(() -> {          // asyncio.run(main())
 *   AsyncTask<Void> spinner = Async.createTask(() -> spin("thinking!"));
 *   String r = slow();                           // awaits inside
 *   spinner.cancel();
 *   return r;
 * });
 * }</pre>
 *
 * <p>Thread-safe: {@link #createTask}, {@link #runUntilComplete} and {@link #close()} may be called
 * from any thread (asyncio's {@code call_soon_threadsafe}). Close it to cancel what is left and
 * stop its default executor.
 */
public final class EventLoop implements AutoCloseable {
  private final LoopConfig config;
  private final Scheduler scheduler;
  private final AtomicLong taskIds = new AtomicLong();
  private final List<AsyncTask<?>> tasks = java.util.Collections.synchronizedList(new ArrayList<>());
  private volatile boolean closed;
  private @Nullable TaskExecutor defaultExecutor;

  private EventLoop(LoopConfig config) {
    this.config = config;
    this.scheduler = new Scheduler(config.name());
  }

  /** A new loop with the defaults ({@link LoopConfig#defaults()}). */
  public static EventLoop open() {
    return open(LoopConfig.defaults());
  }

  /** A new loop. */
  public static EventLoop open(LoopConfig config) {
    return new EventLoop(Objects.requireNonNull(config, "config"));
  }

  /**
   * asyncio's {@code run(main())}: a new loop runs {@code main} to completion, then is closed
   * (what is still pending is cancelled). Blocks the calling thread, which must not be a coroutine.
   *
   * @return what {@code main} returned
   * @throws RuntimeException what {@code main} threw (checked ones in a
   *     {@link java.util.concurrent.CompletionException})
   */
  public static <T> T run(Coroutine<T> main) {
    return run(LoopConfig.defaults(), main);
  }

  /** {@link #run(Coroutine)} on a loop with the given configuration. */
  public static <T> T run(LoopConfig config, Coroutine<T> main) {
    try (EventLoop loop = open(config)) {
      return loop.runUntilComplete(main);
    }
  }

  /**
   * The loop of the calling coroutine.
   *
   * @throws IllegalStateException outside a coroutine
   */
  public static EventLoop current() {
    Strand s = Scheduler.current();
    if (s == null || !(s.attachment() instanceof AsyncTask<?> t)) {
      throw new IllegalStateException("not inside a coroutine: call this from code run by an EventLoop");
    }
    return t.loop();
  }

  /** True if the calling code runs in a coroutine of some loop. */
  public static boolean inCoroutine() {
    return Scheduler.current() != null;
  }

  /** The configuration. */
  public LoopConfig config() {
    return config;
  }

  /** The loop's name. */
  public String name() {
    return config.name();
  }

  Scheduler scheduler() {
    return scheduler;
  }

  /**
   * asyncio's {@code run_until_complete}: schedules {@code main} and blocks the calling thread (not a
   * coroutine of this loop) until it is done.
   */
  public <T> T runUntilComplete(Coroutine<T> main) {
    return createTask(main).join();
  }

  /** Schedules a coroutine as a task named {@code Task-<n>}; see {@link #createTask(String, Coroutine)}. */
  public <T> AsyncTask<T> createTask(Coroutine<T> coroutine) {
    return createTask("Task-" + taskIds.incrementAndGet(), coroutine);
  }

  /**
   * Schedules a coroutine as a task: it runs when the loop gets to it (FIFO among ready
   * coroutines). Callable from any thread.
   *
   * @throws IllegalStateException if the loop is closed
   */
  public <T> AsyncTask<T> createTask(String name, Coroutine<T> coroutine) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(coroutine, "coroutine");
    if (closed) {
      throw new IllegalStateException("event loop '" + config.name() + "' is closed");
    }
    AsyncTask<T> task = new AsyncTask<>(this, name);
    tasks.add(task);
    task.outcome().whenComplete((v, e) -> tasks.remove(task));
    Strand s = scheduler.create(name, task, st -> task.run(st, coroutine));
    task.bind(s);
    scheduler.start(s);
    return task;
  }

  /** Tasks created and not yet done (asyncio's {@code all_tasks()}), in creation order. */
  public List<AsyncTask<?>> pendingTasks() {
    synchronized (tasks) {
      return List.copyOf(tasks);
    }
  }

  /** How many times the loop passed from one coroutine to another so far. */
  public long switches() {
    return scheduler.switches();
  }

  /**
   * The loop's default executor for {@link Async#toThread} ({@code run_in_executor(None, ...)}): a
   * THREADS executor of {@link LoopConfig#defaultExecutorThreads()} workers, started on first use
   * and closed with the loop.
   */
  public synchronized TaskExecutor defaultExecutor() {
    TaskExecutor ex = defaultExecutor;
    if (ex == null) {
      if (closed) {
        throw new IllegalStateException("event loop '" + config.name() + "' is closed");
      }
      ex = Spindle.executor(ExecutionModel.THREADS).workers(config.defaultExecutorThreads())
          .name(config.name() + "-default-executor").start();
      defaultExecutor = ex;
    }
    return ex;
  }

  /** True once closed. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Closes the loop: no new tasks; pending ones are cancelled and given up to
   * {@link LoopConfig#closeTimeout()} to finish; the default executor is shut down. Idempotent.
   *
   * @throws IllegalStateException if called from a coroutine of this loop
   */
  @Override
  public void close() {
    Strand me = Scheduler.current();
    if (me != null && me.scheduler() == scheduler) {
      throw new IllegalStateException("a coroutine cannot close its own loop");
    }
    if (closed) {
      return;
    }
    closed = true;
    List<AsyncTask<?>> left = pendingTasks();
    for (AsyncTask<?> t : left) {
      t.cancel(true);
    }
    long deadline = System.nanoTime() + config.closeTimeout().toNanos();
    for (AsyncTask<?> t : left) {
      try {
        t.outcome().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (TimeoutException e) {
        break;
      } catch (Exception e) {
        // cancelled or failed: done
      }
    }
    TaskExecutor ex;
    synchronized (this) {
      ex = defaultExecutor;
      defaultExecutor = null;
    }
    if (ex != null) {
      ex.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "EventLoop[" + config.name() + ", " + tasks.size() + " pending" + (closed ? ", closed" : "") + "]";
  }

  static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  static CompletableFuture<Void> never() {
    return new CompletableFuture<>();
  }
}
