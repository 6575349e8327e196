package dev.spindle.process.internal;

import dev.spindle.process.ProcessOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Where each execution of a process pool is: the backlog of jobs no worker has, and the jobs in
 * flight on each worker (the first one running, the others sent ahead). It sends the next job to
 * the worker {@link DispatchPolicy} picks, starts a worker's next job when the one before it ends,
 * takes unstarted work back from a worker stuck on a long task while another is idle, and moves a
 * job along its {@link Job.State states} as it is answered, skipped, cancelled or its worker dies.
 * Counts the executions waiting and running.
 *
 * <p>Every method is called with the pool's lock held (the scheduled rebalance takes it itself);
 * the {@link ProcessExecutor} decides what follows (stopping workers, shutting down, accounting).
 */
final class Dispatcher {
  private final WorkerPool pool;
  private final Protocol protocol;
  private final ProcessOptions options;
  private final ScheduledExecutorService scheduler;
  private final ReentrantLock lock;
  private final IntUnaryOperator load;
  private final ArrayDeque<Job> backlog = new ArrayDeque<>();
  private int queued;
  private int active;
  private int reclaims;
  private int rr;
  private boolean rebalanceScheduled;

  /** @param lock the pool's lock, which guards everything here */
  Dispatcher(WorkerPool pool, Protocol protocol, ProcessOptions options, ReentrantLock lock) {
    this.pool = pool;
    this.protocol = protocol;
    this.options = options;
    this.scheduler = pool.scheduler;
    this.lock = lock;
    this.load = i -> {
      WorkerConnection w = pool.connection(i);
      return w != null && w.canTake() ? w.inFlight.size() : -1;
    };
  }

  /** Executions accepted and not started yet (in the backlog or sent ahead). */
  int queued() {
    return queued;
  }

  /** Executions running. */
  int active() {
    return active;
  }

  boolean hasBacklog() {
    return !backlog.isEmpty();
  }

  /** The jobs no worker has, oldest first (a read-only view). */
  Collection<Job> backlog() {
    return Collections.unmodifiableCollection(backlog);
  }

  /** Accepts a new job at the end of the backlog and dispatches. */
  void add(Job j) {
    queued++;
    backlog.addLast(j);
    dispatch();
  }

  /** Sends backlog jobs to workers as long as one can take work. */
  void dispatch() {
    while (!backlog.isEmpty()) {
      int i = DispatchPolicy.pick(pool.size(), rr, load);
      if (i < 0) {
        return;
      }
      WorkerConnection best = Objects.requireNonNull(pool.connection(i), "a worker that can take work");
      rr++;
      Job j = backlog.pollFirst();
      if (j.future.isDone()) {
        continue; // cancelled a moment ago; its cancel hook does the accounting
      }
      send(best, j);
    }
  }

  private void send(WorkerConnection w, Job j) {
    j.worker = w;
    w.inFlight.put(j.key, j);
    w.writer.send(Objects.requireNonNull(j.frame, "frame of a job not done"));
    w.dispatched += j.size;
    if (w.inFlight.size() == 1) {
      start(w, j);
    } else {
      j.moveTo(Job.State.SENT);
    }
    if (options.maxTasksPerChild() > 0 && w.dispatched >= options.maxTasksPerChild()) {
      w.retiring = true;
    }
  }

  private void start(WorkerConnection w, Job j) {
    j.moveTo(Job.State.RUNNING);
    queued--;
    active++;
    j.startedNanos = System.nanoTime();
    if (!j.future.tryStart(() -> w.kill("execution " + j.key + " of task '" + j.task.name() + "' was cancelled"))) {
      j.startRefused = true;
    }
  }

  /** Starts the worker's next job if the one it ran has left. */
  private void promote(WorkerConnection w) {
    Job h = w.head();
    if (h != null && h.state == Job.State.SENT && !h.reclaiming) {
      start(w, h);
    }
  }

  /** Takes unstarted work back from a worker stuck on a long task when another worker is idle. */
  void rebalance() {
    if (!backlog.isEmpty()) {
      return;
    }
    int idle = 0;
    for (int i = 0; i < pool.size(); i++) {
      WorkerConnection w = pool.connection(i);
      if (w != null && w.isReady && !w.retiring && !w.stopping && w.inFlight.isEmpty()) {
        idle++;
      }
    }
    if (!DispatchPolicy.wantsReclaim(idle, reclaims)) {
      return;
    }
    long now = System.nanoTime();
    long soonest = Long.MAX_VALUE;
    while (DispatchPolicy.wantsReclaim(idle, reclaims)) {
      WorkerConnection victim = null;
      Job pick = null;
      for (int i = 0; i < pool.size(); i++) {
        WorkerConnection w = pool.connection(i);
        if (w == null || w.inFlight.size() < 2) {
          continue;
        }
        Job head = Objects.requireNonNull(w.head(), "head of a worker with work in flight");
        long wait = DispatchPolicy.reclaimIn(now - head.startedNanos, w.ewmaNanos());
        if (head.state != Job.State.RUNNING || wait > 0) {
          if (head.state == Job.State.RUNNING) {
            soonest = Math.min(soonest, wait);
          }
          continue;
        }
        Job last = null;
        for (Job j : w.inFlight.values()) {
          if (j.state == Job.State.SENT && !j.reclaiming) {
            last = j;
          }
        }
        if (last != null) {
          victim = w;
          pick = last;
          break;
        }
      }
      if (pick == null) {
        break;
      }
      pick.reclaiming = true;
      reclaims++;
      Objects.requireNonNull(victim, "victim").writer.send(protocol.simple(Protocol.SKIP, pick.key));
    }
    if (DispatchPolicy.wantsReclaim(idle, reclaims) && soonest != Long.MAX_VALUE && !rebalanceScheduled) {
      rebalanceScheduled = true;
      scheduler.schedule(() -> {
        lock.lock();
        try {
          rebalanceScheduled = false;
          rebalance();
        } finally {
          lock.unlock();
        }
      }, soonest + 100_000, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Withdraws a job whose future was cancelled: out of the backlog, skipped by its worker if it was
   * sent ahead or refused to start, its worker killed if it runs and an interrupt was asked for.
   *
   * @return false if the job was already done (nothing to count)
   */
  boolean cancel(Job j) {
    switch (j.state) {
      case QUEUED -> {
        j.moveTo(Job.State.DONE);
        queued--;
        backlog.remove(j);
      }
      case SENT -> {
        j.moveTo(Job.State.DONE);
        queued--;
        j.sentTo().writer.send(protocol.simple(Protocol.SKIP, j.key));
      }
      case RUNNING -> {
        j.moveTo(Job.State.DONE);
        active--;
        if (j.startRefused) {
          j.sentTo().writer.send(protocol.simple(Protocol.SKIP, j.key));
        } else if (j.future.isCancelled()) {
          WorkerConnection w = j.sentTo();
          if (w.head() == j && j.future.interruptRequested) {
            w.kill("execution " + j.key + " of task '" + j.task.name() + "' was cancelled");
          }
        }
      }
      case DONE -> {
        return false;
      }
      default -> throw new IllegalStateException(j.toString());
    }
    return true;
  }

  /**
   * A worker skipped a job (cancelled, or taken back): one taken back returns to the front of the
   * backlog, and the worker starts its next job.
   *
   * @return false if the worker had no such job (nothing changed)
   */
  boolean skipped(WorkerConnection w, long key) {
    Job j = w.inFlight.remove(key);
    if (j == null) {
      return false;
    }
    endReclaim(j);
    if (j.state == Job.State.SENT) {
      j.moveTo(Job.State.QUEUED);
      j.worker = null;
      backlog.addFirst(j);
    }
    promote(w);
    return true;
  }

  /**
   * A worker answered a job that ran {@code nanos}: the job is done, the worker's run-time estimate
   * moves, and it starts its next job.
   *
   * @return the job, if its future still waits for the answer; null if it was cancelled meanwhile
   * @throws Frames.ProtocolException if the worker has no such job
   */
  @Nullable Job answered(WorkerConnection w, long key, long nanos) throws Frames.ProtocolException {
    Job j = w.inFlight.remove(key);
    if (j == null) {
      throw new Frames.ProtocolException("answer for unknown job " + key);
    }
    endReclaim(j);
    w.recordRuntime(nanos);
    if (j.state == Job.State.SENT) {
      start(w, j);
    }
    boolean deliver = false;
    if (j.state == Job.State.RUNNING) {
      j.moveTo(Job.State.DONE);
      active--;
      deliver = !j.future.isDone();
    }
    promote(w);
    return deliver ? j : null;
  }

  /**
   * A worker exited: the jobs it had sent ahead go back to the front of the backlog, in order; the
   * one it ran is done.
   *
   * @return the jobs it was running whose futures still wait (they are lost)
   */
  List<Job> workerGone(WorkerConnection w) {
    List<Job> lost = new ArrayList<>();
    List<Job> requeue = new ArrayList<>();
    for (Job j : w.inFlight.values()) {
      endReclaim(j);
      switch (j.state) {
        case RUNNING -> {
          j.moveTo(Job.State.DONE);
          active--;
          if (!j.future.isDone()) {
            lost.add(j);
          }
        }
        case SENT -> {
          j.moveTo(Job.State.QUEUED);
          j.worker = null;
          requeue.add(j);
        }
        default -> { }
      }
    }
    w.inFlight.clear();
    for (int i = requeue.size() - 1; i >= 0; i--) {
      backlog.addFirst(requeue.get(i));
    }
    return lost;
  }

  /** Empties the backlog, every job in it done (the caller fails their futures). */
  List<Job> drainBacklog() {
    List<Job> dead = new ArrayList<>(backlog);
    backlog.clear();
    for (Job j : dead) {
      j.moveTo(Job.State.DONE);
      queued--;
    }
    return dead;
  }

  private void endReclaim(Job j) {
    if (j.reclaiming) {
      reclaims--;
      j.reclaiming = false;
    }
  }
}
