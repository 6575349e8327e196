package dev.spindle.internal.local;

import dev.spindle.ExecutorConfig;
import dev.spindle.TaskFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * VIRTUAL with {@code workers = 0}: every execution gets its own new virtual thread, so there is
 * no concurrency limit. Because nothing ever waits for a worker, {@link ExecutorConfig#maxQueued()}
 * bounds the executions <em>in flight</em> (started threads not yet finished) instead; beyond it
 * submissions are rejected with {@code BACKLOG_FULL}. Virtual threads are named
 * {@code <name> vthread-<n>}. Thread-safe.
 */
final class ThreadPerTaskExecutor extends LocalExecutor {
  private final Backlog inFlight;
  private final Set<Job<?>> jobs = ConcurrentHashMap.newKeySet();
  private final AtomicInteger count = new AtomicInteger();
  private final ThreadFactory threads;
  private final Counters.Shared counters = new Counters.Shared();

  ThreadPerTaskExecutor(ExecutorConfig config) {
    super(config);
    this.inFlight = Backlog.of(config.maxQueued());
    this.threads = Thread.ofVirtual().name(config.name() + " vthread-", 0).factory();
  }

  @Override
  void dispatch(Job<?> job) {
    count.incrementAndGet(); // before the state check: see finished()
    if (!isRunning()) {
      finished();
      throw rejectShutdown(job.taskName());
    }
    if (!inFlight.tryAcquire()) {
      finished();
      throw rejectFull(job.taskName(), inFlight.size() + " executions are in flight");
    }
    jobs.add(job);
    job.beforeOutcome(inFlight::release); // freed before the caller sees the outcome
    Thread t = threads.newThread(() -> run(job));
    try {
      t.start();
    } catch (RuntimeException | OutOfMemoryError e) {
      jobs.remove(job);
      job.settled();
      finished();
      throw e;
    }
  }

  private void run(Job<?> job) {
    try {
      if (job.tryStart(Thread.currentThread()::interrupt)) {
        job.execute(counters);
      }
    } finally {
      jobs.remove(job);
      job.settled(); // frees the slot if no outcome did (a cancelled job)
      finished();
    }
  }

  private void finished() {
    if (count.decrementAndGet() == 0 && !isRunning()) {
      markTerminated();
    }
  }

  @Override
  Iterable<? extends Counters> counters() {
    return List.of(counters);
  }

  @Override
  int activeCount() {
    int n = 0;
    for (Job<?> j : jobs) {
      if (j.isStarted() && !j.isDone()) {
        n++;
      }
    }
    return n;
  }

  @Override
  int queuedCount() {
    int n = 0;
    for (Job<?> j : jobs) {
      if (!j.isStarted() && !j.isDone()) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void shutdown() {
    if (markShutdown() && count.get() == 0) {
      markTerminated();
    }
  }

  @Override
  public List<TaskFuture<?>> shutdownNow() {
    shutdown();
    List<TaskFuture<?>> never = new ArrayList<>();
    for (Job<?> j : jobs) {
      boolean started = j.isStarted();
      if (j.cancel(true) && !started && !j.isStarted()) {
        never.add(j);
      }
    }
    return never;
  }
}
