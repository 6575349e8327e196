package dev.spindle.internal.local;

import dev.spindle.ExecutorConfig;
import dev.spindle.TaskFuture;
import dev.spindle.coroutine.Async;
import dev.spindle.coroutine.AsyncTask;
import dev.spindle.coroutine.EventLoop;
import dev.spindle.coroutine.LoopConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * COROUTINE: every execution is a task on one {@link EventLoop}, scheduled at submission (FIFO).
 * Only one runs at a time and the loop switches only where a task suspends (through
 * {@link dev.spindle.coroutine.Async}), so a plain blocking task holds the loop until it returns,
 * and a task that awaits lets the next ones start. {@code queued} counts executions not yet
 * started, and {@link ExecutorConfig#maxQueued()} bounds them. Cancelling a running execution
 * cancels its coroutine (delivered at its next suspension point) and interrupts a blocking call.
 * The loop's coroutines are virtual threads named {@code <name> Task-<n>}. Thread-safe.
 */
final class CoroutineExecutor extends LocalExecutor {
  private final EventLoop loop;
  private final Backlog queued;
  private final Map<Job<?>, AtomicBoolean> jobs = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();
  private final Counters.Shared counters = new Counters.Shared();

  CoroutineExecutor(ExecutorConfig config) {
    super(config);
    this.loop = EventLoop.open(LoopConfig.defaults().withName(config.name()));
    this.queued = Backlog.of(config.maxQueued());
  }

  /** The loop the executions run on. */
  EventLoop loop() {
    return loop;
  }

  @Override
  void dispatch(Job<?> job) {
    count.incrementAndGet(); // before the state check: see finished()
    if (!isRunning()) {
      finished();
      throw rejectShutdown(job.taskName());
    }
    if (!queued.tryAcquire()) {
      finished();
      throw rejectFull(job.taskName(), queued.size() + " executions already wait for the event loop");
    }
    AtomicBoolean left = new AtomicBoolean();
    jobs.put(job, left);
    try {
      loop.createTask(() -> {
        run(job, left);
        return null;
      });
    } catch (RuntimeException e) {
      jobs.remove(job);
      leave(left);
      finished();
      throw e;
    }
  }

  private void run(Job<?> job, AtomicBoolean left) {
    try {
      AsyncTask<?> me = Async.currentTask();
      boolean started = job.tryStart(() -> me.cancel(true));
      leave(left);
      if (started) {
        job.execute(counters);
      }
    } finally {
      jobs.remove(job);
      job.settled();
      finished();
    }
  }

  private void leave(AtomicBoolean left) {
    if (left.compareAndSet(false, true)) {
      queued.release();
    }
  }

  @Override
  void cancelled(Job<?> job, boolean wasStarted) {
    super.cancelled(job, wasStarted);
    AtomicBoolean left = jobs.get(job);
    if (!wasStarted && left != null) {
      leave(left);
    }
  }

  private void finished() {
    if (count.decrementAndGet() == 0 && !isRunning()) {
      terminate();
    }
  }

  private void terminate() {
    markTerminated();
    // close() is refused on the loop's own coroutines, and this may run on one
    Thread.ofVirtual().name(config.name() + " closer").start(loop::close);
  }

  @Override
  Iterable<? extends Counters> counters() {
    return List.of(counters);
  }

  @Override
  int activeCount() {
    int n = 0;
    for (Job<?> j : jobs.keySet()) {
      if (j.isStarted() && !j.isDone()) {
        n++;
      }
    }
    return n;
  }

  @Override
  int queuedCount() {
    return queued.size();
  }

  @Override
  public void shutdown() {
    if (markShutdown() && count.get() == 0) {
      terminate();
    }
  }

  @Override
  public List<TaskFuture<?>> shutdownNow() {
    shutdown();
    List<TaskFuture<?>> never = new ArrayList<>();
    // the waiting executions first: cancelling a running one frees the loop, which would otherwise
    // start the next waiting one before this loop reached it
    List<Job<?>> all = new ArrayList<>(jobs.keySet());
    for (Job<?> j : all) {
      if (!j.isStarted() && j.cancel(true) && !j.isStarted()) {
        never.add(j);
      }
    }
    for (Job<?> j : all) {
      j.cancel(true);
    }
    return never;
  }
}
