package dev.spindle.internal.local;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorConfig;
import dev.spindle.ExecutorStats;
import dev.spindle.RejectedSubmissionException;
import dev.spindle.TaskFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of long-lived worker threads (platform or virtual) looping over one lock-free queue.
 * Backs SEQUENTIAL (one platform worker), THREADS (N platform workers) and VIRTUAL with N &gt; 0
 * (N virtual workers).
 *
 * <p>Hot path: a submission allocates one {@link Job} and one queue node and does no locking. Idle
 * workers look for work by spinning briefly, at most {@link #maxSpinners} of them at a time (half
 * the cores, at least one), then park. A submitter wakes a parked worker only when no worker is
 * spinning, and the woken worker counts as spinning from that moment; a spinning worker that finds a
 * job wakes the next one if more are queued. So a burst of short jobs wakes a few workers instead of
 * one per job, and a burst of long ones still spreads over all of them, one wake-up after another
 * (the scheme of Go's scheduler). The workers that ran a job look at the queue before they wait. Each worker counts into its own single-writer {@link Counters.Single}; with an unbounded
 * backlog the queued gauge is derived (accepted minus taken minus cancelled), so workers share no
 * counter at all. Workers are started at construction and named {@code <name> worker(<i>)}; platform
 * workers are non-daemon threads, so a forgotten executor keeps the JVM alive rather than losing
 * work (close it). Thread-safe.
 *
 * <p>A running execution that is cancelled (a timeout, a cancel) gets its thread interrupted; a task
 * that ignores the interrupt would keep that thread, and the executions queued next would wait behind
 * it. So the cancel replaces the worker: a fresh thread takes its slot, and the old one, counted as
 * {@linkplain ExecutorStats#stuck stuck} until its task returns, then ends. At most as many workers
 * are replaced at once as the pool has; past that the slot waits for its thread (logged once).
 * SEQUENTIAL, which promises one execution at a time, never replaces its worker.
 */
final class PooledExecutor extends LocalExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(PooledExecutor.class);
  private static final int SPINS = 64;
  /** Platform workers only: for a virtual thread a yield is an unmount and remount. */
  private static final int YIELDS = 16;

  private final JobQueue queue = new JobQueue();
  private static final VarHandle CURRENT;

  static {
    try {
      CURRENT = MethodHandles.lookup().findVarHandle(Worker.class, "current", Job.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Null when unbounded; else the strict count of queued jobs. */
  private final @Nullable Backlog bounded;
  /** Unbounded only: jobs accepted, and cancelled while queued. */
  private final LongAdder accepted = new LongAdder();
  private final LongAdder cancelledQueued = new LongAdder();
  /** Each slot's current worker: replaced (copy on write, under {@link #slots}) when its thread is stuck. */
  private volatile Worker[] workers;
  private final Object slots = new Object();
  private final boolean virtual;
  /** Replaced workers whose thread is still inside its cancelled execution. */
  private final Set<Worker> stuck = ConcurrentHashMap.newKeySet();
  /** What replaced workers counted, once their thread ended. */
  private final Counters.Shared retired = new Counters.Shared();
  private final LongAdder retiredDequeued = new LongAdder();
  private volatile boolean stuckLimitLogged;
  private final AtomicInteger parked = new AtomicInteger();
  /** Workers looking for work without parking, including those woken to do so. */
  private final AtomicInteger spinners = new AtomicInteger();
  private final int maxSpinners;
  private final AtomicInteger live;
  private final int idleRounds;

  PooledExecutor(ExecutorConfig config, boolean virtual) {
    super(config);
    this.bounded = config.maxQueued() == Integer.MAX_VALUE ? null : Backlog.of(config.maxQueued());
    int n = config.workers();
    this.virtual = virtual;
    Worker[] ws = new Worker[n];
    this.live = new AtomicInteger(n);
    this.idleRounds = SPINS + (virtual ? 0 : YIELDS);
    this.maxSpinners = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    for (int i = 0; i < n; i++) {
      ws[i] = newWorker(config.name() + " worker(" + i + ")");
    }
    this.workers = ws;
    for (Worker w : ws) {
      w.thread.start();
    }
  }

  private Worker newWorker(String name) {
    Worker w = new Worker(name);
    w.thread = virtual ? Thread.ofVirtual().name(name).unstarted(w)
        : Thread.ofPlatform().name(name).daemon(false).unstarted(w);
    return w;
  }

  /**
   * The running execution {@code job} was cancelled: the worker running it gets a fresh thread in
   * its slot, and the old one ends once its task returns (stuck until then). Nothing if no worker
   * runs it any more, the pool is shut down, or as many workers are stuck as the pool has.
   */
  private void replaceRunnerOf(Job<?> job) {
    synchronized (slots) {
      if (!isRunning()) {
        return; // under the lock: shutdown() unparks the workers of the array this call would replace
      }
      Worker[] ws = workers;
      for (int i = 0; i < ws.length; i++) {
        Worker w = ws[i];
        if (CURRENT.getVolatile(w) != job) {
          continue;
        }
        if (stuck.size() >= ws.length) {
          if (!stuckLimitLogged) {
            stuckLimitLogged = true;
            LOG.warn("executor '{}': {} threads are stuck in cancelled executions that ignore interrupts; the slot of "
                + "worker {} waits for its thread", config.name(), stuck.size(), w.name);
          }
          return;
        }
        stuck.add(w); // before the CAS: once it fails, the worker may leave, removing itself from the set
        if (!CURRENT.compareAndSet(w, job, null)) {
          stuck.remove(w); // its worker finished the job first and keeps its slot
          return;
        }
        Worker fresh = newWorker(config.name() + " worker(" + i + ")");
        Worker[] copy = ws.clone();
        copy[i] = fresh;
        live.incrementAndGet();
        workers = copy;
        fresh.thread.start();
        return;
      }
    }
  }

  @Override
  int stuckCount() {
    return stuck.size();
  }

  @Override
  void dispatch(Job<?> job) {
    if (!isRunning()) {
      throw rejectShutdown(job.taskName());
    }
    if (bounded == null) {
      accepted.increment();
    } else if (!bounded.tryAcquire()) {
      throw rejectFull(job.taskName(), bounded.size() + " executions already wait for a worker");
    }
    queue.offer(job);
    if (!isRunning() && live.get() == 0) {
      strandedAfterShutdown(job); // every worker may have left before this offer
    }
    signalWork();
  }

  /**
   * Work was queued: makes sure a worker will look for it. Nothing to do while one spins (it polls
   * again before it stops spinning) or when none is parked (they are all busy and poll when done).
   */
  private void signalWork() {
    if (spinners.get() == 0 && parked.get() > 0) {
      for (Worker w : workers) {
        if (w.parked && w.wakeToSpin()) {
          return;
        }
      }
    }
  }

  /** A job left the queued state (started by {@code w}, or removed when {@code w} is null). */
  private void leftQueue(@Nullable Worker w) {
    if (bounded != null) {
      bounded.release();
    } else if (w != null) {
      w.counters.dequeued();
    } else {
      cancelledQueued.increment();
    }
  }

  @Override
  void cancelled(Job<?> job, boolean wasStarted) {
    super.cancelled(job, wasStarted);
    if (!wasStarted) {
      leftQueue(null);
    } else if (config.model() != ExecutionModel.SEQUENTIAL) {
      replaceRunnerOf(job); // SEQUENTIAL promises one execution at a time, so its slot waits instead
    }
  }

  @Override
  Iterable<? extends Counters> counters() {
    List<Counters> all = new ArrayList<>();
    for (Worker w : workers) {
      all.add(w.counters);
    }
    for (Worker w : stuck) {
      all.add(w.counters);
    }
    all.add(retired);
    return all;
  }

  @Override
  int activeCount() {
    int n = 0;
    for (Worker w : workers) {
      Job<?> j = (Job<?>) CURRENT.getOpaque(w);
      if (j != null && j.isStarted() && !j.isDone()) {
        n++;
      }
    }
    return n;
  }

  @Override
  int queuedCount() {
    if (bounded != null) {
      return bounded.size();
    }
    long taken = cancelledQueued.sum() + retiredDequeued.sum();
    for (Worker w : workers) {
      taken += w.counters.dequeuedCount();
    }
    for (Worker w : stuck) {
      taken += w.counters.dequeuedCount();
    }
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, accepted.sum() - taken));
  }

  @Override
  public void shutdown() {
    if (markShutdown()) {
      synchronized (slots) { // no replacement publishes a worker this loop would miss
        for (Worker w : workers) {
          w.unpark();
        }
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
      Job<?> running = (Job<?>) CURRENT.getVolatile(w);
      if (running != null) {
        running.cancel(true);
      }
    }
    return never;
  }

  /**
   * Lost a race with shutdown: every worker has exited, so queued jobs would never run. Fails
   * every job still queued with a shutdown rejection, and throws it for the caller's own job.
   * (The last worker drains the queue after it left, so a job is run or failed, never lost.)
   */
  private void strandedAfterShutdown(Job<?> own) {
    RejectedSubmissionException mine = null;
    Job<?> j;
    while ((j = queue.poll()) != null) {
      if (j.isDone()) {
        continue; // cancelled while queued: already counted
      }
      leftQueue(null);
      RejectedSubmissionException e = rejectShutdown(j.taskName());
      if (j == own) {
        mine = e;
      }
      j.fail(e);
    }
    if (mine != null) {
      throw mine;
    }
  }

  private void workerExited(Worker w) {
    if (w.replaced) {
      retired.add(w.counters); // before it leaves the stuck set: a reader may count it twice, never zero times
      retiredDequeued.add(w.counters.dequeuedCount());
      stuck.remove(w);
    }
    if (live.decrementAndGet() == 0) {
      // jobs offered after every other worker's last look; their submitters may have missed us
      Job<?> j;
      while ((j = queue.poll()) != null) {
        w.runJob(j);
      }
      markTerminated();
    }
  }

  /** One worker: its loop, its park flag and its canceller (interrupting its own thread). */
  private final class Worker implements Runnable {
    private final String name;
    @SuppressWarnings("NullAway.Init") // set by the constructor of the pool, before start
    Thread thread;
    /**
     * Via CURRENT: the job being run (a gauge and shutdownNow's hint). Its worker sets it and clears
     * it with a CAS; a replacer's CAS clearing it first takes the slot away (exactly one side wins).
     */
    @SuppressWarnings("unused")
    private @Nullable Job<?> current;
    final Counters.Single counters = new Counters.Single();
    volatile boolean parked;
    /** Counted in {@code spinners}; written by this worker, or by a waker while it is parked. */
    volatile boolean spinning;
    /**
     * Set by this worker when a fresh one took its slot (the replacer cleared {@code current} before
     * the job ended): it ends after that job. Read only by this worker's thread.
     */
    boolean replaced;
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
          if (replaced) {
            return; // a fresh worker has its slot
          }
        }
      } catch (Throwable t) {
        LOG.error("worker {} of executor '{}' died", name, config.name(), t);
        throw t;
      } finally {
        workerExited(this);
      }
    }

    private void runJob(Job<?> job) {
      CURRENT.setRelease(this, job);
      boolean started = job.tryStart(canceller);
      if (started || job.isStarted()) {
        leftQueue(this); // it left the queued state through this worker
      }
      if (started) {
        job.execute(counters);
      }
      if (!CURRENT.compareAndSet(this, job, null)) {
        replaced = true; // a replacer cleared it first: a fresh worker has the slot
      }
      if (thread.isInterrupted()) {
        Thread.interrupted(); // clear an interrupt aimed at the job, not at the next one
      }
    }

    /** Waits for a job; null once shut down with an empty queue. */
    private @Nullable Job<?> awaitJob() {
      while (true) {
        if (spinning || tryStartSpinning()) {
          Job<?> job = spin();
          if (job != null || !isRunning()) {
            return job;
          }
        }
        parked = true;
        PooledExecutor.this.parked.incrementAndGet();
        Job<?> job = queue.poll(); // after the flag: a submitter that missed it sees the job here
        if (job != null || !isRunning()) {
          clearParked();
          stopSpinning(); // a submitter may have woken us meanwhile
          if (job == null) {
            return queue.poll();
          }
          if (!queue.isEmpty()) {
            signalWork(); // submitters that saw us spinning left the rest to us
          }
          return job;
        }
        while (parked && isRunning()) {
          LockSupport.park(this);
        }
        clearParked();
        if (!isRunning()) {
          stopSpinning();
          return queue.poll();
        }
      }
    }

    /**
     * Polls for a while as one of the spinners; null when it found nothing (no longer spinning then).
     * A job found while more wait wakes the next worker, since no one else may be looking.
     */
    private @Nullable Job<?> spin() {
      for (int i = 0; i < idleRounds; i++) {
        Job<?> job = queue.poll();
        if (job != null) {
          stopSpinning();
          if (!queue.isEmpty()) {
            signalWork();
          }
          return job;
        }
        if (!isRunning()) {
          stopSpinning();
          return queue.poll(); // read the state before the last poll: see dispatch()
        }
        if (i < SPINS) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
      }
      stopSpinning(); // and then a last poll after setting the park flag (awaitJob)
      return null;
    }

    private boolean tryStartSpinning() {
      int n;
      do {
        n = spinners.get();
        if (n >= maxSpinners) {
          return false;
        }
      } while (!spinners.compareAndSet(n, n + 1));
      spinning = true;
      return true;
    }

    private void stopSpinning() {
      if (spinning) {
        spinning = false;
        spinners.decrementAndGet();
      }
    }

    /**
     * Wakes this parked worker as a spinner, counted before it runs so that the submissions that
     * follow do not wake others; true if this call woke it.
     */
    boolean wakeToSpin() {
      if (!parked) {
        return false;
      }
      spinners.incrementAndGet();
      synchronized (this) {
        if (parked) {
          spinning = true; // read by the worker after the park flag's clearing (happens-before)
          parked = false;
        } else {
          spinners.decrementAndGet();
          return false;
        }
      }
      PooledExecutor.this.parked.decrementAndGet();
      LockSupport.unpark(thread);
      return true;
    }

    /** Clears the park flag and wakes the worker; true if this call cleared it. */
    boolean unpark() {
      if (clearParked()) {
        LockSupport.unpark(thread);
        return true;
      }
      return false;
    }

    /** Clears the park flag; true if this call cleared it (exactly one caller does). */
    private boolean clearParked() {
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
      return true;
    }
  }
}
