package dev.spindle.internal.local;

import dev.spindle.ExecutionLabel;
import dev.spindle.ExecutorConfig;
import dev.spindle.ExecutorStats;
import dev.spindle.MapOptions;
import dev.spindle.RejectedSubmissionException;
import dev.spindle.RejectionCheck;
import dev.spindle.ResultIterator;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.UnknownTaskException;
import dev.spindle.spi.MapSupport;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * What the in-JVM executors share: registry check, ids, statistics, life cycle, map and the
 * {@link ExecutorService} view. Subclasses decide how a {@link Job} reaches a thread.
 *
 * <p>Registry: when the configuration's registry is empty any task may be submitted; otherwise only
 * the registered task instances, and anything else fails with {@link UnknownTaskException}. The
 * closures given to {@link #asExecutorService()} are not tasks and are always accepted.
 *
 * <p>Statistics: {@code executed} counts executions whose code returned or threw (each input of a
 * map chunk counts once), {@code failed} those that threw, {@code cancelled} those cancelled while
 * queued or running (a cancelled execution is not also counted as executed), {@code rejected}
 * refused submissions (not the chunks {@code map} holds back and retries when the backlog is full). Counters are updated before the future completes, so a caller that saw a
 * result also sees it counted. Long-lived workers count in their own single-writer
 * {@link Counters}, summed by {@link #stats()}, so the hot path has no shared counter. Thread-safe.
 */
abstract class LocalExecutor implements TaskExecutor {
  final ExecutorConfig config;
  private final TaskRegistry registry;
  private final boolean checkRegistry;
  private final AtomicLong sequence = new AtomicLong();
  private final LongAdder cancelled = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final AtomicReference<Lifecycle> state = new AtomicReference<>(Lifecycle.RUNNING);
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile @Nullable LocalExecutorService view;
  /** The pluggable admission check, if configured. */
  private final @Nullable RejectionCheck rejectionCheck;
  /** The last task that passed the registry check (tasks are immutable, so identity is enough). */
  private @Nullable Task<?, ?> lastAllowed;

  LocalExecutor(ExecutorConfig config) {
    this.config = config;
    this.registry = config.registry();
    this.checkRegistry = !registry.names().isEmpty();
    this.rejectionCheck = config.extension(RejectionCheck.class).orElse(null);
  }

  @Override
  public final ExecutorConfig config() {
    return config;
  }

  @Override
  public final <I, O> TaskFuture<O> submit(Task<I, O> task, I input) {
    checkAllowed(task);
    admit();
    TaskJob<I, O> job = new TaskJob<>(this, sequence.getAndIncrement(), task, input, null);
    dispatch(job);
    return job;
  }

  @Override
  public final <I, O> TaskFuture<O> submit(Task<I, O> task, I input, ExecutionLabel label) {
    Objects.requireNonNull(label, "label");
    checkAllowed(task);
    admit();
    TaskJob<I, O> job = new TaskJob<>(this, sequence.getAndIncrement(), task, input, label);
    dispatch(job);
    return job;
  }

  /** Submits a closure task of the {@link ExecutorService} view, bypassing the registry. */
  final <I, O> TaskJob<I, O> submitClosure(Task<I, O> task, I input) {
    Objects.requireNonNull(input, "task");
    admit();
    TaskJob<I, O> job = new TaskJob<>(this, sequence.getAndIncrement(), task, input, null);
    dispatch(job);
    return job;
  }

  @Override
  public final <I, O> ResultIterator<O> map(Task<I, O> task, Iterable<? extends I> inputs, MapOptions options) {
    checkAllowed(task);
    // by default no more chunks in flight than the executor holds (running + queued): no rejections
    int window = (int) Math.min(MapSupport.defaultWindow(config.workers()), (long) config.workers() + config.maxQueued());
    return MapSupport.map(task, inputs, options, window, chunk -> {
      ChunkJob<I, O> job = new ChunkJob<>(this, sequence.getAndIncrement(), task, chunk);
      try {
        dispatch(job);
      } catch (RejectedSubmissionException e) {
        if (e.reason() == RejectedSubmissionException.Reason.BACKLOG_FULL) {
          rejected.decrement(); // map holds the chunk and retries it: not a refused submission
        }
        throw e;
      }
      return job;
    });
  }

  private void admit() {
    RejectionCheck c = rejectionCheck;
    if (c != null && isRunning()) {
      try {
        c.check(this, queuedCount());
      } catch (RejectedSubmissionException e) {
        rejected.increment();
        throw e;
      }
    }
  }

  private void checkAllowed(Task<?, ?> task) {
    Objects.requireNonNull(task, "task");
    if (checkRegistry && task != lastAllowed) {
      checkRegistered(task);
      lastAllowed = task; // racy on purpose: a stale value only costs one more lookup
    }
  }

  private void checkRegistered(Task<?, ?> task) {
    if (!registry.contains(task)) {
      if (registry.find(task.name()).isPresent()) {
        throw new UnknownTaskException(task.name(), "task '" + task.name() + "' is registered, but as a "
            + "different Task instance than the one submitted; submit the registered instance");
      }
      registry.require(task.name()); // throws with the list of known tasks
    }
  }

  /**
   * Hands the job to a worker.
   *
   * @throws RejectedSubmissionException if shut down or the backlog is full
   */
  abstract void dispatch(Job<?> job);

  /** Executions running now. */
  abstract int activeCount();

  /** Executions waiting for a worker now. */
  abstract int queuedCount();

  /** A job was cancelled; {@code wasStarted} false means it will never run. */
  void cancelled(Job<?> job, boolean wasStarted) {
    cancelled.increment();
  }

  /** Threads still inside a cancelled execution that ignored the interrupt (see {@link ExecutorStats#stuck}). */
  int stuckCount() {
    return 0;
  }

  /** Every {@link Counters} that jobs of this executor record into. */
  abstract Iterable<? extends Counters> counters();

  @Override
  public final ExecutorStats stats() {
    long executed = 0;
    long failed = 0;
    long runtime = 0;
    for (Counters c : counters()) {
      executed += c.executed();
      failed += c.failed();
      runtime += c.runtimeNanos();
    }
    return new ExecutorStats(Math.max(0, executed), Math.max(0, failed), cancelled.sum(), rejected.sum(),
        Duration.ofNanos(Math.max(0, runtime)), queuedCount(), activeCount(), stuckCount());
  }

  final RejectedSubmissionException rejectShutdown(String taskName) {
    rejected.increment();
    return new RejectedSubmissionException(RejectedSubmissionException.Reason.SHUTDOWN,
        "executor '" + config.name() + "' (" + config.model() + ") is shut down and accepts no new work; "
            + "task '" + taskName + "' was not submitted");
  }

  final RejectedSubmissionException rejectFull(String taskName, String what) {
    rejected.increment();
    return new RejectedSubmissionException(RejectedSubmissionException.Reason.BACKLOG_FULL,
        "executor '" + config.name() + "' (" + config.model() + ") is full: " + what + " (maxQueued="
            + config.maxQueued() + "); task '" + taskName + "' was not submitted, retry later");
  }

  /** True while accepting submissions. */
  final boolean isRunning() {
    return state.get() == Lifecycle.RUNNING;
  }

  /**
   * Moves from RUNNING to SHUTDOWN.
   *
   * @return true if this call did it
   */
  final boolean markShutdown() {
    return moveTo(Lifecycle.SHUTDOWN);
  }

  /** Moves to TERMINATED and releases waiters of {@link #awaitTermination}. Idempotent. */
  final void markTerminated() {
    if (moveTo(Lifecycle.TERMINATED)) {
      terminated.countDown();
    }
  }

  private boolean moveTo(Lifecycle next) {
    while (true) {
      Lifecycle cur = java.util.Objects.requireNonNull(state.get());
      if (cur == next || !cur.canMoveTo(next)) {
        return false;
      }
      if (state.compareAndSet(cur, next)) {
        return true;
      }
    }
  }

  @Override
  public final boolean isShutdown() {
    return state.get() != Lifecycle.RUNNING;
  }

  @Override
  public final boolean isTerminated() {
    return state.get() == Lifecycle.TERMINATED;
  }

  @Override
  public final boolean awaitTermination(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE;
    }
    return terminated.await(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public final ExecutorService asExecutorService() {
    LocalExecutorService v = view;
    if (v == null) {
      synchronized (this) {
        v = view;
        if (v == null) {
          v = new LocalExecutorService(this);
          view = v;
        }
      }
    }
    return v;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + config.name() + ", " + config.model() + ", workers="
        + config.workers() + ", " + state.get() + "]";
  }
}
