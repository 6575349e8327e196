package dev.spindle.queue.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.Subscription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes futures when watched jobs reach a terminal state, by following the store's feed of
 * terminal transitions ({@link JobStore#finishedAfter}) whenever the store signals a change, and at
 * least every second. A job can also leave the store without a terminal transition in the feed (a
 * success whose policy keeps none, {@code resultTtl} 0, is deleted as it completes): every
 * {@link #RECHECK_NANOS} the {@link #RECHECK_BATCH} jobs watched longest are looked up directly, in
 * turn, and one that is gone fails its futures with {@link JobNotFoundException}. One platform
 * thread, started with the first watch and idle while nothing is watched. Thread-safe.
 */
final class ResultWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ResultWatcher.class);
  private static final int PAGE = 1000;
  private static final long FALLBACK_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How often watched jobs are looked up directly (ns). */
  static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** The most watched jobs looked up directly per {@link #RECHECK_NANOS} (a bound on the store's load). */
  static final int RECHECK_BATCH = 64;

  private final JobStore store;
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  /** Guarded by lock; in the order of their next direct look-up (see {@link #dueForRecheck}). */
  private final Map<String, List<CompletableFuture<JobInfo>>> watched = new LinkedHashMap<>();
  /** Guarded by lock. */
  private final List<String> toCheck = new ArrayList<>();
  private volatile boolean changed;
  private volatile boolean closed;
  private @Nullable Thread thread;
  private @Nullable Subscription subscription;
  private long cursor = -1;
  /** When watched jobs were last looked up directly (System.nanoTime); loop thread only. */
  private long lastRecheck = System.nanoTime();

  public ResultWatcher(JobStore store, String name) {
    this.store = store;
    this.name = name;
  }

  /**
   * A future completed with the job's snapshot once it is terminal, or exceptionally with
   * {@link JobNotFoundException} if it does not exist (or was removed before it was seen finished).
   * Cancelling the future stops watching (it does not cancel the job).
   */
  public CompletableFuture<JobInfo> watch(String jobId) {
    CompletableFuture<JobInfo> f = new CompletableFuture<>();
    lock.lock();
    try {
      if (closed) {
        f.completeExceptionally(new StoreException(StoreException.Reason.CLOSED, "the result watcher is closed"));
        return f;
      }
      startIfNeeded();
      watched.computeIfAbsent(jobId, k -> new ArrayList<>(1)).add(f);
      toCheck.add(jobId);
      wake.signal();
    } finally {
      lock.unlock();
    }
    f.whenComplete((v, e) -> {
      if (f.isCancelled()) {
        forget(jobId, f);
      }
    });
    return f;
  }

  private void forget(String jobId, CompletableFuture<JobInfo> f) {
    lock.lock();
    try {
      List<CompletableFuture<JobInfo>> l = watched.get(jobId);
      if (l != null) {
        l.remove(f);
        if (l.isEmpty()) {
          watched.remove(jobId);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Number of jobs watched now. */
  public int watchedCount() {
    lock.lock();
    try {
      return watched.size();
    } finally {
      lock.unlock();
    }
  }

  private void startIfNeeded() {
    if (thread != null) {
      return;
    }
    subscription = store.subscribe(() -> {
      changed = true;
      lock.lock();
      try {
        wake.signal();
      } finally {
        lock.unlock();
      }
    });
    thread = Thread.ofPlatform().daemon().name("spindle-results-" + name).start(this::loop);
  }

  private void loop() {
    long backoff = 0;
    while (!closed) {
      List<String> check;
      lock.lock();
      try {
        long deadline = System.nanoTime() + (backoff > 0 ? backoff : FALLBACK_NANOS);
        while (!closed && toCheck.isEmpty()) {
          if (watched.isEmpty()) {
            wake.await(); // nothing to follow: sleep until a watch arrives
            continue;
          }
          long left = deadline - System.nanoTime();
          if (changed || left <= 0) {
            break;
          }
          wake.awaitNanos(left);
        }
        if (closed) {
          return;
        }
        check = new ArrayList<>(toCheck);
        toCheck.clear();
        long now = System.nanoTime();
        if (now - lastRecheck >= RECHECK_NANOS) {
          lastRecheck = now;
          check.addAll(dueForRecheck());
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      changed = false;
      Subscription sub = subscription;
      if (sub != null) {
        sub.waiting(); // before the look: a job that finishes after it wakes this loop
      }
      try {
        poll(check);
        backoff = 0;
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        backoff = Math.min(Math.max(backoff * 2, TimeUnit.MILLISECONDS.toNanos(50)), FALLBACK_NANOS);
        LOG.warn("reading job results from {} failed (retrying in {} ms): {}", store.describe(),
            TimeUnit.NANOSECONDS.toMillis(backoff), e.toString());
        lock.lock();
        try {
          toCheck.addAll(check);
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /**
   * The first {@link #RECHECK_BATCH} watched jobs, moved to the end of the order so that the next
   * look-up takes the following ones. Under lock.
   */
  private List<String> dueForRecheck() {
    List<String> due = new ArrayList<>(Math.min(RECHECK_BATCH, watched.size()));
    for (String id : watched.keySet()) {
      if (due.size() == RECHECK_BATCH) {
        break;
      }
      due.add(id);
    }
    for (String id : due) {
      List<CompletableFuture<JobInfo>> l = watched.remove(id);
      if (l != null) {
        watched.put(id, l);
      }
    }
    return due;
  }

  private void poll(List<String> check) {
    if (cursor < 0) {
      cursor = store.finishCursor();
    }
    // newly watched jobs may have finished before the cursor was read: look them up directly
    for (String id : check) {
      Optional<JobInfo> job = store.find(id);
      if (job.isEmpty()) {
        completeAll(id, null);
      } else if (job.get().state().isTerminal()) {
        completeAll(id, job.get());
      }
    }
    while (true) {
      boolean any;
      lock.lock();
      try {
        any = !watched.isEmpty();
      } finally {
        lock.unlock();
      }
      if (!any) {
        cursor = -1; // re-read when something is watched again, before looking jobs up
        return;
      }
      FinishedBatch batch = store.finishedAfter(cursor, PAGE);
      for (JobInfo j : batch.jobs()) {
        if (j.state().isTerminal()) {
          completeAll(j.id(), j);
        }
      }
      cursor = batch.cursor();
      if (batch.jobs().size() < PAGE) {
        return;
      }
    }
  }

  private void completeAll(String id, @Nullable JobInfo job) {
    List<CompletableFuture<JobInfo>> l;
    lock.lock();
    try {
      l = watched.remove(id);
    } finally {
      lock.unlock();
    }
    if (l == null) {
      return;
    }
    for (CompletableFuture<JobInfo> f : l) {
      if (job == null) {
        f.completeExceptionally(new JobNotFoundException(id));
      } else {
        f.complete(job);
      }
    }
  }

  /** Stops the thread; pending futures fail with a CLOSED {@link StoreException}. */
  @Override
  public void close() {
    List<CompletableFuture<JobInfo>> pending = new ArrayList<>();
    Thread t;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      watched.values().forEach(pending::addAll);
      watched.clear();
      wake.signalAll();
      t = thread;
    } finally {
      lock.unlock();
    }
    if (subscription != null) {
      subscription.close();
    }
    for (CompletableFuture<JobInfo> f : pending) {
      f.completeExceptionally(new StoreException(StoreException.Reason.CLOSED,
          "stopped waiting for the job: its queue client was closed"));
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
