package dev.spindle.queue.internal;

import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher of a {@link WorkerRuntime}, on its own platform thread: in one store call per round
 * it writes the queued outcomes ({@link Completion}s, kept and retried with a growing backoff while
 * the store fails) and claims exactly as many jobs as there are free slots, then reports what was
 * applied ({@link CompletionReporter}) and starts the claimed jobs ({@link JobLauncher}). It sleeps
 * until an outcome arrives, the store changes (with a free slot), the next scheduled job is due or
 * the poll interval passed; a stopping worker's dispatcher ends once nothing runs and every outcome
 * was written. While short jobs of the last round still run, it first lets their outcomes gather
 * ({@link OutcomeGathering}), so they are written in one call. With {@link WorkerSettings#prefetch}
 * it claims up to that many jobs more while jobs are short ({@link Prefetched}); a job no slot takes
 * in time, and every such job of a stopping worker, is handed back. Outcomes are queued by any thread;
 * everything else runs on the dispatcher thread.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);

  /** Outcomes waiting to be written; added by any thread, taken by the dispatcher. */
  final java.util.concurrent.ConcurrentLinkedQueue<JobOutcome> pending =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** Outcomes a failed store call must write first; dispatcher thread only. */
  private final ArrayDeque<JobOutcome> unsaved = new ArrayDeque<>();
  /** How many outcomes {@link #pending} holds (its own size() walks the queue). */
  private final AtomicInteger pendingCount = new AtomicInteger();
  /** True while the dispatcher waits (or is about to); producers signal only then. */
  volatile boolean dispatcherWaiting;
  /** While the dispatcher lets outcomes gather: the pending count that wakes it; 1 otherwise. */
  volatile int wakeAt = 1;
  /** Set when the store reports a change (or a wake-up is asked for): claim again soon. */
  volatile boolean storeChanged = true;
  /** How soon to look again when the store reports a due job but gives none. */
  private static final Duration DUE_RECHECK = Duration.ofMillis(50);

  private final WorkerRuntime rt;
  private final WorkerSettings settings;
  private final String workerId;
  private final ClockSkew skew;
  private final CompletionReporter reporter;
  private final AttemptEnds attemptEnds;
  private final JobLauncher launcher;
  private final OutcomeGathering gathering = new OutcomeGathering();
  private final long pollNanos;
  // the dispatcher thread's state between rounds
  private long backoffNanos;
  /** No store call before this (System.nanoTime) after a failed one. */
  private long backoffUntil;
  private long lastClaimNanos;
  /** The last claim got as many jobs as it asked for: there may be more. */
  private boolean moreWork = true;
  /** When the store's next scheduled job is due (worker clock), or null. */
  private @Nullable Instant nextRunAt;

  Dispatcher(WorkerRuntime rt, WorkerSettings settings, String workerId, ClockSkew skew, CompletionReporter reporter,
      AttemptEnds attemptEnds, JobLauncher launcher) {
    this.rt = rt;
    this.settings = settings;
    this.workerId = workerId;
    this.skew = skew;
    this.reporter = reporter;
    this.attemptEnds = attemptEnds;
    this.launcher = launcher;
    this.pollNanos = Durations.toNanos(settings.pollInterval());
  }

  /** The dispatcher thread's loop; returns once the worker stopped (or died). */
  void dispatchLoop() {
    try {
      loop();
    } finally {
      attemptEnds.flushAll(); // the observer hears of every end before the worker's close returns
    }
  }

  /**
   * Rounds until the worker stopped. Each round is a call of its own (and its parts are too), not
   * the body of one long-running loop: the JIT compiles a method that never returns only by
   * on-stack replacement, and the whole round inlined there took C2 1-1.5 s of CPU per compilation,
   * repeated after every deoptimization while the interpreter ran the loop (PostgresBench versus,
   * a third of the workers' CPU in a drain after 400,000 warm-up jobs).
   */
  private void loop() {
    for (int toClaim; (toClaim = awaitRound()) >= 0; ) {
      runRound(toClaim);
    }
  }

  /**
   * Waits until there are outcomes to write or a claim to make: how many jobs to claim (0: only
   * outcomes to write), or -1 once the worker stopped or died.
   */
  private int awaitRound() {
    boolean gathered = false;
    rt.lock.lock();
    try {
      while (true) {
        if (rt.fatal != null) {
          return -1;
        }
        long now = System.nanoTime();
        if (rt.stopping && now >= rt.giveUpFlushAtNanos && (!pending.isEmpty() || !unsaved.isEmpty())) {
          LOG.error("worker {} stops without saving {} outcome(s) to {}; those jobs run again elsewhere once "
              + "the lease expires", workerId, pending.size() + unsaved.size(), settings.store().describe());
          drainPending(new ArrayList<>());
          unsaved.clear();
        }
        if (now < backoffUntil) {
          if (handOverEnds()) {
            continue;
          }
          awaitQuietly(backoffUntil - now);
          continue;
        }
        if (rt.prefetched.size() > 0) {
          if (rt.stopping) {
            handBack(rt.prefetched.drain(), "the worker is stopping");
          } else {
            handBack(rt.prefetched.removeStale(now), "it waited over " + Prefetched.MAX_WAIT / 1_000_000
                + " ms for a free slot");
          }
        }
        int free = rt.stopping ? 0 : settings.concurrency() + ahead() - rt.running.get() - rt.prefetched.size()
            - rt.parked.waitingForSlots(); // woken parked jobs take the next free slots
        boolean due = nextRunAt != null && !settings.clock().instant().isBefore(nextRunAt);
        boolean claim = free > 0 && (storeChanged || moreWork || due || now - lastClaimNanos >= pollNanos);
        if (claim || !pending.isEmpty() || !unsaved.isEmpty()) {
          if (gathered || rt.stopping || !unsaved.isEmpty()) {
            return claim ? free : 0;
          }
          gathered = true;
          int more = gathering.worthWaitingFor(now);
          if (more == 0) {
            return claim ? free : 0;
          }
          gather(pendingCount.get() + more, gathering.deadline(now));
          continue; // free slots and the claim, again
        }
        // parked, waiting, running, then pending: a parked job counts waiting or running before it
        // stops counting as parked (ParkedSleeps), and queues its outcome before it stops running
        if (rt.stopping && rt.parked.parked() == 0 && rt.parked.waitingForSlots() == 0 && rt.running.get() == 0
            && pending.isEmpty()) {
          rt.terminated = true;
          rt.idle.signalAll();
          return -1;
        }
        awaitChange(now, free);
      }
    } finally {
      rt.lock.unlock();
    }
  }

  /** Nothing to do: waits for an outcome, a change, a due job or the poll interval. The caller holds the lock. */
  private void awaitChange(long now, int free) {
    long waitNanos = free > 0 ? pollNanos - (now - lastClaimNanos) : pollNanos;
    if (rt.prefetched.size() > 0) {
      waitNanos = Math.min(waitNanos, Prefetched.MAX_WAIT); // to hand back jobs no slot takes
    }
    Instant runAt = nextRunAt;
    if (runAt != null && free > 0) {
      long untilRun = Durations.nanosBetween(settings.clock().instant(), runAt);
      waitNanos = Math.min(waitNanos, Math.max(untilRun, TimeUnit.MILLISECONDS.toNanos(1)));
    }
    if (handOverEnds()) {
      return; // before a wait; then look again, as the lock was let go
    }
    dispatcherWaiting = true;
    // re-check after announcing the wait: an outcome (or, with a free slot, a change) that arrived
    // meanwhile must not be slept through; with no free slot a change is no reason to wake
    if (pending.isEmpty() && !(free > 0 && storeChanged)) {
      awaitQuietly(Math.max(waitNanos, 1));
    }
    dispatcherWaiting = false;
  }

  /**
   * One store call: the outcomes written and up to {@code toClaim} jobs claimed (none if 0); then
   * what was applied reported and the claimed jobs started. A failed call keeps the outcomes for
   * the next round, after a growing backoff.
   */
  private void runRound(int toClaim) {
    List<JobOutcome> batch = new ArrayList<>(unsaved);
    unsaved.clear();
    drainPending(batch);
    boolean claiming = toClaim > 0;
    if (claiming) {
      // the claim below reads the store after this: a change seen before it is covered; a round
      // without a claim (no free slot, outcomes only) keeps the notice for the next free slot
      storeChanged = false;
    }
    Instant now = settings.clock().instant();
    List<Completion> completions = new ArrayList<>(batch.size());
    for (JobOutcome d : batch) {
      completions.add(d.completion());
    }
    rt.reports.flushEnded(batch); // before the outcomes: the writes are fenced on the running job
    Exchange ex;
    rt.claimLock.lock();
    try {
      claiming &= !rt.stopping; // shutdown() waits for this store call, so no claim starts after it returns
      long callStart = System.nanoTime();
      reporter.storeCalls.increment();
      ex = settings.store().completeAndClaim(completions,
          claiming ? claimRequest(toClaim, now) : null, now);
      gathering.called(System.nanoTime() - callStart);
    } catch (RuntimeException e) {
      backoffNanos = backoffNanos == 0 ? TimeUnit.MILLISECONDS.toNanos(50)
          : Math.min(backoffNanos * 2, TimeUnit.SECONDS.toNanos(2));
      backoffUntil = System.nanoTime() + backoffNanos;
      reporter.logStoreFailure(e, batch.size());
      unsaved.addAll(batch);
      return;
    } finally {
      rt.claimLock.unlock();
    }
    backoffNanos = 0;
    if (claiming) {
      for (JobInfo job : ex.claim().jobs()) {
        rt.starting.add(job.id()); // known here from the answer on, until started, queued ahead or ended below
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      rt.unconfirmed.remove(batch.get(i).job().id());
      reporter.applied(batch.get(i), ex.applied().get(i), now);
    }
    attemptEnds.flush();
    if (claiming) {
      startClaimed(ex.claim(), toClaim);
    }
  }

  /** A claim of up to {@code toClaim} jobs: of any task, or of the known ones after an unknown one was met. */
  private ClaimRequest claimRequest(int toClaim, Instant now) {
    return new ClaimRequest(workerId, settings.queues(), toClaim, now,
        rt.knownTasksOnly ? settings.resolver().names() : null);
  }

  /**
   * Starts the jobs a round claimed (or holds them for the next free slots) and notes when to claim
   * next; {@code asked} is how many the claim asked for.
   */
  private void startClaimed(ClaimResult claimed, int asked) {
    lastClaimNanos = System.nanoTime();
    List<JobInfo> jobs = claimed.jobs();
    moreWork = jobs.size() == asked;
    nextRunAt = skew.onWorkerClock(claimed.nextRunAt());
    Instant workerNow = settings.clock().instant();
    if (jobs.isEmpty() && nextRunAt != null && !workerNow.isBefore(nextRunAt)) {
      // the store says a job is due but had none to give (the skew is not measured yet, has just
      // changed, or the job waits on a limit): look again shortly rather than claim in a loop
      Duration recheck = settings.pollInterval().compareTo(DUE_RECHECK) < 0 ? settings.pollInterval() : DUE_RECHECK;
      nextRunAt = Durations.plus(workerNow, recheck);
    }
    reporter.claimed.add(jobs.size());
    List<LongSupplier> round = new ArrayList<>(jobs.size());
    for (JobInfo job : jobs) {
      try {
        if (rt.prefetched.size() > 0 || !launcher.reserveSlot()) {
          rt.prefetched.add(job, lastClaimNanos); // claimed ahead: the next free slot starts it
          continue;
        }
        try {
          InFlight f = launcher.startJob(job, lastClaimNanos, true);
          if (f != null) {
            round.add(() -> f.endNanos);
          }
        } catch (RuntimeException e) {
          launcher.startFailed(job, e);
        }
      } finally {
        rt.starting.remove(job.id()); // now claimed ahead, running, or with its outcome queued
      }
    }
    launcher.startPrefetched(); // slots that freed meanwhile
    gathering.started(round, lastClaimNanos);
  }

  /**
   * Before the dispatcher waits: hands the attempt ends it holds back to the observer's thread
   * ({@link AttemptEnds#flushAll}), with the worker's lock let go meanwhile (a far-behind observer's
   * ends are delivered on this thread, and the observer's code must not hold up the threads that
   * queue outcomes). True if it let the lock go, so the caller looks again. The caller holds the lock.
   */
  private boolean handOverEnds() {
    if (attemptEnds.held() == 0) {
      return false;
    }
    rt.lock.unlock();
    try {
      attemptEnds.flushAll();
    } finally {
      rt.lock.lock();
    }
    return true;
  }

  /**
   * How many jobs to claim beyond the free slots now: {@link WorkerSettings#prefetch} while jobs
   * usually run shorter than a store call takes, else none.
   */
  private int ahead() {
    int p = settings.prefetch();
    return p > 0 && rt.prefetched.jobsShorterThan(gathering.callNanos()) ? p : 0;
  }

  /** Hands jobs claimed ahead back to the store (QUEUED again, not a strike). */
  private void handBack(List<Prefetched.Held> jobs, String why) {
    for (Prefetched.Held h : jobs) {
      JobInfo job = h.job();
      rt.addDone(new JobOutcome(job, Completion.released(job.id(), job.fence(), workerId), JobEvent.Type.RELEASED,
          JobState.QUEUED, null, "claimed ahead and not started: " + why));
      rt.prefetched.placed(job.id());
    }
    if (!jobs.isEmpty()) {
      LOG.debug("worker {}: handed back {} job(s) claimed ahead: {}", workerId, jobs.size(), why);
    }
  }

  /**
   * Lets outcomes gather ({@link OutcomeGathering}): waits until {@code target} are pending, the
   * worker stops or {@code until} (System.nanoTime) passes. The caller holds the lock.
   */
  private void gather(int target, long until) {
    wakeAt = target;
    dispatcherWaiting = true;
    try {
      while (pendingCount.get() < target && !rt.stopping && rt.fatal == null) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return;
        }
        awaitQuietly(left);
      }
    } finally {
      dispatcherWaiting = false;
      wakeAt = 1;
    }
  }

  /** Moves the pending outcomes to {@code into}, in their order. */
  private void drainPending(List<JobOutcome> into) {
    for (JobOutcome next; (next = pending.poll()) != null; ) {
      pendingCount.decrementAndGet();
      into.add(next);
    }
  }

  /** Waits on the wake condition; the caller holds the lock. Interrupts are ignored: stop via 'stopping'. */
  private void awaitQuietly(long nanos) {
    try {
      rt.wake.awaitNanos(nanos);
    } catch (InterruptedException e) {
      // the dispatcher stops only through 'stopping'
    }
  }

  /** Queues an outcome; wakes the dispatcher if it waits (producers signal only then). */
  void add(JobOutcome d) {
    pending.add(d);
    int n = pendingCount.incrementAndGet();
    if (dispatcherWaiting && n >= wakeAt) {
      rt.signal();
    }
  }
}
