package dev.spindle.internal.local;

import dev.spindle.ExecutorConfig;
import dev.spindle.TaskFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of long-lived worker threads (platform or virtual) looping over one lock-free queue.
 * Backs SEQUENTIAL (one platform worker), THREADS (N platform workers) and VIRTUAL with N &gt; 0
 * (N virtual workers).
 *
 * <p>Hot path: a submission allocates one {@link Job} and one queue node and does no locking; an
 * idle worker spins briefly, then parks, and a submitter wakes a parked worker only when one is
 * parked. Workers are started at construction and named {@code <name> worker(<i>)}; platform
 * workers are non-daemon threads, so a forgotten executor keeps the JVM alive rather than losing
 * work (close it). Thread-safe.
 */
final class PooledExecutor extends LocalExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(PooledExecutor.class);
  private static final int SPINS = 64;
  private static final int YIELDS = 16;

  private final ConcurrentLinkedQueue<Job<?>> queue = new ConcurrentLinkedQueue<>();
  private final Backlog backlog;
  private final Worker[] workers;
  private final AtomicInteger parked = new AtomicInteger();
  private final AtomicInteger live;

  PooledExecutor(ExecutorConfig config, boolean virtual) {
    super(config);
    this.backlog = Backlog.of(config.maxQueued());
    int n = config.workers();
    this.workers = new Worker[n];
    this.live = new AtomicInteger(n);
    for (int i = 0; i < n; i++) {
      String name = config.name() + " worker(" + i + ")";
      Worker w = new Worker(name);
      Thread t = virtual ? Thread.ofVirtual().name(name).unstarted(w)
          : Thread.ofPlatform().name(name).daemon(false).unstarted(w);
      w.thread = t;
      workers[i] = w;
    }
    for (Worker w : workers) {
      w.thread.start();
    }
  }

  @Override
  void dispatch(Job<?> job) {
    if (!isRunning()) {
      throw rejectShutdown(job.taskName());
    }
    if (!backlog.tryAcquire()) {
      throw rejectFull(job.taskName(), backlog.size() + " executions already wait for a worker");
    }
    queue.offer(job);
    if (!isRunning() && queue.remove(job)) {
      backlog.release(); // lost the race with shutdown; nobody will take it
      throw rejectShutdown(job.taskName());
    }
    if (parked.get() > 0) {
      wakeOne();
    }
  }

  private void wakeOne() {
    for (Worker w : workers) {
      if (w.parked && w.unpark()) {
        return;
      }
    }
  }

  @Override
  void cancelled(Job<?> job, boolean wasStarted) {
    super.cancelled(job, wasStarted);
    if (!wasStarted) {
      backlog.release();
    }
  }

  @Override
  int activeCount() {
    int n = 0;
    for (Worker w : workers) {
      Job<?> j = w.current;
      if (j != null && j.isStarted() && !j.isDone()) {
        n++;
      }
    }
    return n;
  }

  @Override
  int queuedCount() {
    return backlog.size();
  }

  @Override
  public void shutdown() {
    if (markShutdown()) {
      for (Worker w : workers) {
        w.unpark();
      }
    }
  }

  @Override
  public List<TaskFuture<?>> shutdownNow() {
    shutdown();
    List<TaskFuture<?>> never = new ArrayList<>();
    Job<?> job;
    while ((job = queue.poll()) != null) {
      if (job.cancel(true)) {
        never.add(job);
      }
    }
    for (Worker w : workers) {
      Job<?> running = w.current;
      if (running != null) {
        running.cancel(true);
      }
    }
    return never;
  }

  private void workerExited() {
    if (live.decrementAndGet() == 0) {
      markTerminated();
    }
  }

  /** One worker: its loop, its park flag and its canceller (interrupting its own thread). */
  private final class Worker implements Runnable {
    private final String name;
    Thread thread;
    volatile Job<?> current;
    volatile boolean parked;
    private final Runnable canceller = () -> thread.interrupt();

    Worker(String name) {
      this.name = name;
    }

    @Override
    public void run() {
      try {
        while (true) {
          Job<?> job = queue.poll();
          if (job == null) {
            job = awaitJob();
            if (job == null) {
              return;
            }
          }
          runJob(job);
        }
      } catch (Throwable t) {
        LOG.error("worker {} of executor '{}' died", name, config.name(), t);
        throw t;
      } finally {
        workerExited();
      }
    }

    private void runJob(Job<?> job) {
      current = job;
      job.workerName = name;
      boolean started = job.tryStart(canceller);
      if (started || job.isStarted()) {
        backlog.release(); // it left the queued state through this worker
      }
      if (started) {
        job.execute();
      }
      current = null;
      Thread.interrupted(); // clear an interrupt aimed at the job, not at the next one
    }

    /** Waits for a job; null once shut down with an empty queue. */
    private Job<?> awaitJob() {
      for (int i = 0; i < SPINS + YIELDS; i++) {
        Job<?> job = queue.poll();
        if (job != null) {
          return job;
        }
        if (!isRunning()) {
          return queue.poll(); // read the state before the last poll: see dispatch()
        }
        if (i < SPINS) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
      }
      while (true) {
        parked = true;
        PooledExecutor.this.parked.incrementAndGet();
        Job<?> job = queue.poll();
        if (job != null || !isRunning()) {
          unpark();
          return job != null ? job : queue.poll();
        }
        while (parked && isRunning()) {
          LockSupport.park(this);
        }
        unpark();
        job = queue.poll();
        if (job != null) {
          return job;
        }
        if (!isRunning()) {
          return queue.poll();
        }
      }
    }

    /** Clears the park flag; true if this call cleared it (and woke the thread). */
    boolean unpark() {
      if (!parked) {
        return false;
      }
      synchronized (this) {
        if (!parked) {
          return false;
        }
        parked = false;
      }
      PooledExecutor.this.parked.decrementAndGet();
      LockSupport.unpark(thread);
      return true;
    }
  }
}
