package dev.spindle.queue.internal;

import dev.spindle.ExecutionLabel;
import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobObserver;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.WorkerStats;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.Subscription;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine of a queue worker. Two platform threads: the <em>dispatcher</em> flushes completions and
 * claims exactly as many jobs as there are free slots, in one store call per round; the
 * <em>housekeeper</em> sends heartbeats (renewing the lease, picking up cancel requests, noticing
 * lost leases), enforces timeouts, reclaims dead workers' jobs, fires recurring schedules and
 * applies retention. Tasks run on a {@link TaskExecutor} of any local model. Thread-safe.
 */
public final class WorkerRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);
  private static final Task<InFlight.Call, Object> RUN_JOB =
      Task.withContext("spindle.queue.job", InFlight.Call.class, Object.class, (call, ctx) -> call.run(ctx));

  private final WorkerSettings s;
  private final String workerId;
  final Instant startedAt;
  private final ReentrantLock lock = new ReentrantLock();
  /** Held by the dispatcher during each store call; {@link #shutdown()} waits for it. */
  private final ReentrantLock claimLock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Condition idle = lock.newCondition();
  final ConcurrentHashMap<String, InFlight> inFlight = new ConcurrentHashMap<>();
  /** Outcomes waiting to be written; added by any thread, taken by the dispatcher. */
  private final java.util.concurrent.ConcurrentLinkedQueue<JobOutcome> pending =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** Outcomes a failed store call must write first; dispatcher thread only. */
  private final ArrayDeque<JobOutcome> unsaved = new ArrayDeque<>();
  /** True while the dispatcher waits (or is about to); producers signal only then. */
  private volatile boolean dispatcherWaiting;
  final AtomicInteger running = new AtomicInteger();
  /** The observer's attempt ends, delivered off the dispatcher thread. */
  private final AttemptEnds attemptEnds;
  private final ScheduleRunner schedules;
  private final OutcomeMapper outcomes;
  private final ClockSkew skew;
  private final Housekeeper housekeeper;
  private final LongAdder claimed = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder retried = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder dead = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final LongAdder released = new LongAdder();
  final LongAdder leaseLost = new LongAdder();
  final LongAdder timedOut = new LongAdder();
  private volatile boolean storeChanged = true;
  volatile boolean stopping;
  volatile boolean terminated;
  private boolean stopped;
  private volatile long giveUpFlushAtNanos = Long.MAX_VALUE;
  @SuppressWarnings("NullAway.Init") // set by start() before the dispatcher runs and any job is submitted
  volatile TaskExecutor executor;
  private boolean ownsExecutor;
  private boolean wrapContext;
  private @Nullable Subscription subscription;
  private @Nullable Thread dispatcher;
  private @Nullable Thread housekeepingThread;
  /** How soon to look again when the store reports a due job but gives none. */
  private static final Duration DUE_RECHECK = Duration.ofMillis(50);
  private volatile @Nullable Throwable fatal;
  private volatile Consumer<Throwable> onFatal = t -> { };

  public WorkerRuntime(WorkerSettings settings) {
    this.s = settings;
    this.workerId = settings.name() + "@" + hostName() + ":" + ProcessHandle.current().pid() + "#"
        + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    this.startedAt = settings.clock().instant();
    this.attemptEnds = new AttemptEnds(settings.name());
    this.schedules = new ScheduleRunner(settings.store(), settings.listeners(), workerId);
    this.outcomes = new OutcomeMapper(settings, workerId);
    this.skew = new ClockSkew(settings, workerId);
    this.housekeeper = new Housekeeper(this, settings, workerId, skew, schedules);
  }

  private static final String HOST = lookUpHostName();

  private static String lookUpHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }

  static String hostName() {
    return HOST;
  }

  /** The unique id under which this worker registers. */
  public String workerId() {
    return workerId;
  }

  /** The settings. */
  public WorkerSettings settings() {
    return s;
  }

  /**
   * Registers with the store and starts consuming.
   *
   * @throws StoreException if the store cannot be reached (nothing is started)
   */
  public synchronized void start() {
    if (dispatcher != null) {
      throw new IllegalStateException("worker " + workerId + " was already started");
    }
    if (!s.queueLimits().isEmpty()) {
      s.queueLimits().forEach(s.store().inspector()::setQueueLimit);
    }
    if (s.executor() != null) {
      executor = s.executor();
      ownsExecutor = false;
    } else {
      executor = createExecutor();
      ownsExecutor = true;
    }
    try {
      housekeeper.heartbeat(s.clock().instant());
    } catch (RuntimeException e) {
      if (ownsExecutor) {
        executor.shutdownNow();
      }
      throw e;
    }
    ExecutionModel m = executor.model();
    wrapContext = m != ExecutionModel.PROCESSES && m != ExecutionModel.DISTRIBUTED;
    subscription = s.store().subscribe(this::onStoreChange);
    dispatcher = Thread.ofPlatform().name("spindle-worker-" + s.name() + "-dispatch")
        .start(() -> guarded("dispatcher", this::dispatchLoop));
    housekeepingThread = Thread.ofPlatform().daemon().name("spindle-worker-" + s.name() + "-housekeeping")
        .start(() -> guarded("housekeeping", housekeeper::loop));
    LOG.info("worker {} consuming {} from {} ({} x {})", workerId, s.queues(), s.store().describe(),
        s.concurrency(), m);
  }

  /**
   * Sets what runs once if an internal thread of this worker dies (see {@link #failure()}); call
   * before {@link #start()}. The default only logs.
   */
  public void onFatal(Consumer<Throwable> handler) {
    this.onFatal = Objects.requireNonNull(handler, "handler");
  }

  /** The error that stopped this worker, if one of its threads died. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(fatal);
  }

  /** Runs a worker thread's loop; an escaping throwable stops the whole worker loudly. */
  private void guarded(String what, Runnable loop) {
    try {
      loop.run();
    } catch (Throwable t) {
      die(what, t);
    }
  }

  /**
   * A worker thread died (a bug, an Error such as OutOfMemoryError): a worker that cannot claim or
   * write outcomes must not run on as a zombie that heartbeats. It stops heartbeating (its jobs run
   * elsewhere once the lease expires), stops its executions, discards their outcomes, wakes every
   * waiter and calls the fatal handler (the CLI exits non-zero so a supervisor restarts it).
   */
  private void die(String what, Throwable t) {
    synchronized (this) {
      if (fatal != null) {
        return;
      }
      fatal = t;
    }
    LOG.error("worker {}: its {} thread died; the worker stops (no more claims or heartbeats; its {} running "
        + "job(s) run elsewhere once the lease of {} expires)", workerId, what, inFlight.size(), s.leaseDuration(), t);
    stopping = true;
    for (InFlight f : inFlight.values()) {
      f.lost = true;
      f.stop();
    }
    pending.clear();
    terminated = true;
    lock.lock();
    try {
      idle.signalAll();
      wake.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      onFatal.accept(t);
    } catch (RuntimeException e) {
      LOG.error("worker {}: the fatal-error handler threw", workerId, e);
    }
  }

  private TaskExecutor createExecutor() {
    ExecutionModel model = s.model();
    var b = Spindle.executor(model).name(s.name()).clock(s.clock());
    switch (model) {
      case VIRTUAL -> b.workers(0);
      case SEQUENTIAL -> b.workers(1);
      case PROCESSES -> {
        s.registry().requirePortable("a PROCESSES queue worker");
        b.workers(s.concurrency()).registry(s.registry());
      }
      case DISTRIBUTED -> throw new IllegalArgumentException(
          "a queue worker runs jobs on a local model (SEQUENTIAL, THREADS, VIRTUAL, PROCESSES), not DISTRIBUTED");
      default -> b.workers(s.concurrency());
    }
    if (model != ExecutionModel.PROCESSES) {
      b.registry(TaskRegistry.empty());
    }
    return b.start();
  }

  private void onStoreChange() {
    storeChanged = true;
    signal();
  }

  /** Makes the dispatcher claim now (for instance after a manual clock moved). */
  public void wakeUp() {
    storeChanged = true;
    signal();
  }

  private void signal() {
    lock.lock();
    try {
      wake.signal();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- dispatcher

  private void dispatchLoop() {
    long backoffNanos = 0;
    long backoffUntil = 0;
    long lastClaimNanos = 0;
    boolean moreWork = true;
    Instant nextRunAt = null;
    long pollNanos = Durations.toNanos(s.pollInterval());
    while (true) {
      List<JobOutcome> batch;
      boolean claim;
      int free;
      lock.lock();
      try {
        while (true) {
          if (fatal != null) {
            return;
          }
          long now = System.nanoTime();
          if (stopping && now >= giveUpFlushAtNanos && (!pending.isEmpty() || !unsaved.isEmpty())) {
            LOG.error("worker {} stops without saving {} outcome(s) to {}; those jobs run again elsewhere once "
                + "the lease expires", workerId, pending.size() + unsaved.size(), s.store().describe());
            pending.clear();
            unsaved.clear();
          }
          if (now < backoffUntil) {
            awaitQuietly(backoffUntil - now);
            continue;
          }
          free = stopping ? 0 : s.concurrency() - running.get();
          boolean due = nextRunAt != null && !s.clock().instant().isBefore(nextRunAt);
          claim = free > 0 && (storeChanged || moreWork || due || now - lastClaimNanos >= pollNanos);
          if (claim || !pending.isEmpty() || !unsaved.isEmpty()) {
            break;
          }
          // running first, then pending: a job queues its outcome before it stops counting as running
          if (stopping && running.get() == 0 && pending.isEmpty()) {
            terminated = true;
            idle.signalAll();
            return;
          }
          long waitNanos = free > 0 ? pollNanos - (now - lastClaimNanos) : pollNanos;
          if (nextRunAt != null && free > 0) {
            long untilRun = Durations.nanosBetween(s.clock().instant(), nextRunAt);
            waitNanos = Math.min(waitNanos, Math.max(untilRun, TimeUnit.MILLISECONDS.toNanos(1)));
          }
          dispatcherWaiting = true;
          // re-check after announcing the wait: an outcome (or, with a free slot, a change) that arrived
          // meanwhile must not be slept through; with no free slot a change is no reason to wake
          if (pending.isEmpty() && !(free > 0 && storeChanged)) {
            awaitQuietly(Math.max(waitNanos, 1));
          }
          dispatcherWaiting = false;
        }
      } finally {
        lock.unlock();
      }
      batch = new ArrayList<>(unsaved);
      unsaved.clear();
      for (JobOutcome next; (next = pending.poll()) != null; ) {
        batch.add(next);
      }
      storeChanged = false;
      Instant now = s.clock().instant();
      List<Completion> completions = new ArrayList<>(batch.size());
      for (JobOutcome d : batch) {
        completions.add(d.completion());
      }
      Exchange ex;
      claimLock.lock();
      try {
        claim &= !stopping; // shutdown() waits for this store call, so no claim starts after it returns
        ex = s.store().completeAndClaim(completions,
            claim ? new ClaimRequest(workerId, s.queues(), free, now) : null, now);
      } catch (RuntimeException e) {
        backoffNanos = backoffNanos == 0 ? TimeUnit.MILLISECONDS.toNanos(50)
            : Math.min(backoffNanos * 2, TimeUnit.SECONDS.toNanos(2));
        backoffUntil = System.nanoTime() + backoffNanos;
        logStoreFailure(e, batch.size());
        unsaved.addAll(batch);
        continue;
      } finally {
        claimLock.unlock();
      }
      backoffNanos = 0;
      for (int i = 0; i < batch.size(); i++) {
        applied(batch.get(i), ex.applied().get(i), now);
      }
      attemptEnds.flush();
      if (claim) {
        lastClaimNanos = System.nanoTime();
        List<JobInfo> jobs = ex.claim().jobs();
        moreWork = jobs.size() == free;
        nextRunAt = skew.onWorkerClock(ex.claim().nextRunAt());
        Instant workerNow = s.clock().instant();
        if (jobs.isEmpty() && nextRunAt != null && !workerNow.isBefore(nextRunAt)) {
          // the store says a job is due but had none to give (the skew is not measured yet, has just
          // changed, or the job waits on a limit): look again shortly rather than claim in a loop
          Duration recheck = s.pollInterval().compareTo(DUE_RECHECK) < 0 ? s.pollInterval() : DUE_RECHECK;
          nextRunAt = Durations.plus(workerNow, recheck);
        }
        claimed.add(jobs.size());
        for (JobInfo job : jobs) {
          try {
            startJob(job, lastClaimNanos);
          } catch (RuntimeException e) {
            LOG.error("worker {}: starting job {} failed; handing it back", workerId, job.id(), e);
            if (inFlight.remove(job.id()) != null) {
              running.decrementAndGet();
            }
            addDone(new JobOutcome(job, Completion.released(job.id(), job.fence(), workerId), JobEvent.Type.RELEASED,
                JobState.QUEUED, null, "start failed: " + e));
          }
        }
      }
    }
  }

  /** Waits on the wake condition; the caller holds the lock. Interrupts are ignored: stop via 'stopping'. */
  private void awaitQuietly(long nanos) {
    try {
      wake.awaitNanos(nanos);
    } catch (InterruptedException e) {
      // the dispatcher stops only through 'stopping'
    }
  }

  private long lastFailureLogNanos;

  void logStoreFailure(RuntimeException e, int outcomes) {
    long now = System.nanoTime();
    if (now - lastFailureLogNanos > TimeUnit.SECONDS.toNanos(5)) {
      lastFailureLogNanos = now;
      String what = e instanceof StoreException se ? se.reason() + ": " + se.getMessage() : e.toString();
      LOG.warn("worker {}: the store {} failed ({}); {} outcome(s) kept in memory and retried", workerId,
          s.store().describe(), what, outcomes);
    }
  }

  private void applied(JobOutcome d, boolean ok, Instant now) {
    if (!ok) {
      leaseLost.increment();
      LOG.warn("worker {}: the outcome {} of job {} was refused: the job was reclaimed after this worker's "
          + "lease expired (fencing)", workerId, d.completion().outcome(), d.job().id());
      emit(JobEvent.Type.LEASE_LOST, d.job(), d.job().state(), now, null, "outcome discarded");
      attemptEnds.add(d.attempt(), JobObserver.Outcome.LOST, Duration.ofNanos(d.runNanos()), null);
      return;
    }
    JobObserver.Outcome outcome = switch (d.type()) {
      case SUCCEEDED -> JobObserver.Outcome.SUCCEEDED;
      case RETRY_SCHEDULED -> JobObserver.Outcome.RETRIED;
      case FAILED -> JobObserver.Outcome.FAILED;
      case DEAD_LETTERED -> JobObserver.Outcome.DEAD;
      case CANCELLED -> JobObserver.Outcome.CANCELLED;
      default -> JobObserver.Outcome.RELEASED;
    };
    attemptEnds.add(d.attempt(), outcome, Duration.ofNanos(d.runNanos()), d.error());
    switch (d.type()) {
      case SUCCEEDED -> succeeded.increment();
      case RETRY_SCHEDULED -> retried.increment();
      case FAILED -> failed.increment();
      case DEAD_LETTERED -> dead.increment();
      case CANCELLED -> cancelled.increment();
      case RELEASED -> released.increment();
      default -> { }
    }
    emit(d.type(), d.job(), d.state(), now, d.error(), d.detail());
  }

  void emit(JobEvent.Type type, JobInfo job, JobState state, Instant at, @Nullable JobError error,
      @Nullable String detail) {
    if (s.listeners().active()) {
      s.listeners().emit(JobEvent.of(type, job, state, at, workerId, error, detail));
    }
  }

  /** From the job's due time (enqueue, delay or retry time) to its start; never negative. */
  private static Duration waited(JobInfo job, Instant now) {
    Instant start = job.startedAt() != null ? job.startedAt() : now;
    Instant due = job.runAt() != null && job.runAt().isAfter(job.createdAt()) ? job.runAt() : job.createdAt();
    return start.isAfter(due) ? Duration.between(due, start) : Duration.ZERO;
  }

  private void startJob(JobInfo job, long claimedNanos) {
    Instant now = s.clock().instant();
    JobObserver.Attempt attempt = s.listeners().started(job, waited(job, now));
    long startNanos = System.nanoTime();
    Task<?, ?> task = s.resolver().find(job.task()).orElse(null);
    if (task == null) {
      JobError err = JobError.of("dev.spindle.UnknownTaskException", "unknown task '" + job.task()
          + "': not in the task registry of worker " + workerId + " (known: " + s.resolver().describeKnown() + ")");
      LOG.warn("job {}: {}; dead-lettered", job.id(), err.message());
      addDone(new JobOutcome(job, Completion.dead(job.id(), job.fence(), workerId, JobInfo.UNKNOWN_TASK, err.toJson()),
          JobEvent.Type.DEAD_LETTERED, JobState.DEAD, err, JobInfo.UNKNOWN_TASK, attempt, 0));
      return;
    }
    Object input;
    try {
      input = Payloads.fromJson(s.codec(), job.argsJson(), task.inputType(),
          "arguments of job " + job.id() + " (task '" + job.task() + "')");
    } catch (RuntimeException | LinkageError | AssertionError e) {
      // whatever the input type's code throws while reading the arguments (a creator, a static
      // initializer) is the job's problem: it must neither kill the dispatcher nor come back forever
      JobError err = JobError.from(e);
      LOG.warn("job {}: {}; dead-lettered", job.id(), e.getMessage());
      addDone(new JobOutcome(job, Completion.dead(job.id(), job.fence(), workerId, JobInfo.BAD_ARGS, err.toJson()),
          JobEvent.Type.DEAD_LETTERED, JobState.DEAD, err, JobInfo.BAD_ARGS, attempt, System.nanoTime() - startNanos));
      return;
    }
    Duration timeout = job.policy().timeout();
    InFlight f = new InFlight(job, task, timeout == null ? null : Durations.plus(now, timeout), claimedNanos,
        attempt, startNanos);
    running.incrementAndGet();
    inFlight.put(job.id(), f);
    emit(JobEvent.Type.STARTED, job, JobState.RUNNING, now, null, null);
    TaskFuture<Object> tf;
    try {
      tf = submit(f, input);
    } catch (RuntimeException e) {
      inFlight.remove(job.id());
      running.decrementAndGet();
      addDone(f, outcomes.refused(f, e));
      return;
    }
    f.future = tf;
    tf.onDone(done -> finished(f, done));
    if (f.stopRequested()) {
      f.stop(); // cancelled (or timed out, or lost) between the claim and the submission
    }
  }

  @SuppressWarnings("unchecked")
  private TaskFuture<Object> submit(InFlight f, Object input) {
    if (wrapContext) {
      return executor.submit(RUN_JOB, new InFlight.Call(f, input, s.name(), s.children()));
    }
    // a child JVM builds its own context: the label carries the job's id and attempt there
    return executor.submit(f.task, input, new ExecutionLabel(f.job.id(), Math.max(1, f.job.attempt()),
        f.attempt.traceContext()));
  }

  private void finished(InFlight f, TaskFuture<Object> tf) {
    f.endNanos = System.nanoTime();
    if (!inFlight.remove(f.job.id(), f)) {
      return;
    }
    try {
      JobOutcome d = outcomes.finished(f, tf);
      if (d != null) {
        addDone(f, d);
      }
    } catch (RuntimeException | LinkageError | AssertionError e) {
      // building the outcome ran the job's own code (an exception's getMessage, a result getter) and
      // that threw: the job must still end, or it would stay RUNNING under this worker's lease
      addDone(f, outcomes.unrecordable(f, e));
    } finally {
      // only once the outcome is queued: a stopping dispatcher ends when it sees no job running and
      // then no outcome pending, in that order, so it never ends between the two
      running.decrementAndGet();
      if (dispatcherWaiting) {
        signal();
      }
    }
  }

  private void addDone(InFlight f, JobOutcome d) {
    addDone(d.of(f));
  }

  private void addDone(JobOutcome d) {
    pending.add(d);
    if (dispatcherWaiting) {
      signal();
    }
  }

  // ---------------------------------------------------------------- housekeeping (see Housekeeper)

  /**
   * The housekeeper's wait between ticks: false if the worker terminated or the thread was
   * interrupted (the housekeeper then ends).
   */
  boolean awaitTick(long nanos) {
    lock.lock();
    try {
      if (terminated) {
        return false;
      }
      idle.awaitNanos(nanos);
      return true;
    } catch (InterruptedException e) {
      return false;
    } finally {
      lock.unlock();
    }
  }

  long processedCount() {
    return succeeded.sum() + retried.sum() + failed.sum() + dead.sum() + cancelled.sum();
  }

  // ---------------------------------------------------------------- lifecycle

  /** The worker's clock minus the store's at the last heartbeat, or null if unknown. */
  public @Nullable Duration clockSkew() {
    return skew.get();
  }

  /**
   * Stops a job this worker runs now as cancelled (its outcome becomes CANCELLED), without waiting
   * for the next heartbeat to see the cancel request. False if it does not run the job.
   */
  public boolean cancelRunning(String jobId) {
    InFlight f = inFlight.get(jobId);
    if (f == null) {
      return false;
    }
    f.cancelRequested = true;
    f.stop();
    return true;
  }

  /** The executor's statistics, once started. */
  public Optional<dev.spindle.ExecutorStats> executorStats() {
    TaskExecutor e = executor;
    return e == null ? Optional.empty() : Optional.of(e.stats());
  }

  /** A snapshot of the counters. */
  public WorkerStats stats() {
    return new WorkerStats(running.get(), claimed.sum(), succeeded.sum(), retried.sum(), failed.sum(), dead.sum(),
        cancelled.sum(), released.sum(), leaseLost.sum(), timedOut.sum());
  }

  /**
   * Stops claiming; running executions go on. When it returns no further claim starts (a claim in
   * progress is waited for). Idempotent.
   */
  public void shutdown() {
    stopping = true;
    if (Thread.currentThread() != dispatcher) {
      claimLock.lock();
      claimLock.unlock();
    }
    signal();
  }

  /** True after {@link #shutdown()}. */
  public boolean isShutdown() {
    return stopping;
  }

  /** True once stopped and every outcome was written. */
  public boolean isTerminated() {
    return terminated;
  }

  /**
   * Waits until running executions finished and their outcomes were written, at most
   * {@code timeout}.
   */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + ClientCore.toNanos(timeout);
    lock.lock();
    try {
      while (!terminated) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        idle.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Graceful stop: stops claiming, lets running executions finish within {@code grace}, then stops
   * the rest and hands their jobs back (QUEUED, not a strike) so they run elsewhere; writes every
   * outcome, deregisters, and stops the executor if it created it.
   */
  public void stop(Duration grace) {
    synchronized (this) {
      if (dispatcher == null) {
        stopping = true;
        terminated = true;
        return;
      }
      if (stopped) {
        return;
      }
      stopped = true;
    }
    shutdown();
    boolean interrupted = false;
    try {
      if (!awaitTermination(grace)) {
        List<InFlight> left = new ArrayList<>(inFlight.values());
        if (!left.isEmpty()) {
          LOG.info("worker {}: {} job(s) still running after the grace period of {}; releasing them", workerId,
              left.size(), grace);
        }
        giveUpFlushAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (InFlight f : left) {
          f.releasing = true;
          f.stop();
        }
        if (!awaitTermination(Duration.ofSeconds(15))) {
          LOG.error("worker {} did not stop in time; {} job(s) stay RUNNING until the lease expires", workerId,
              inFlight.size());
        }
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    try {
      dispatcher.join(TimeUnit.SECONDS.toMillis(5));
      attemptEnds.close(Duration.ofSeconds(5)); // the observer has every end before stop returns
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (subscription != null) {
      subscription.close();
    }
    terminated = true;
    lock.lock();
    try {
      idle.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      s.store().deregisterWorker(workerId, s.clock().instant());
    } catch (RuntimeException e) {
      LOG.warn("worker {} could not deregister from {} ({}); its lease expires on its own", workerId,
          s.store().describe(), e.toString());
    }
    if (ownsExecutor) {
      executor.shutdownNow();
    }
    LOG.info("worker {} stopped: {}", workerId, stats());
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@link #stop(Duration)} with the configured shutdown grace. */
  @Override
  public void close() {
    stop(s.shutdownGrace());
  }

  /** For tests and diagnostics: the ids of the jobs running now. */
  public List<String> runningJobIds() {
    return List.copyOf(inFlight.keySet());
  }

  /** For tests: queue limits requested at start. */
  Map<String, Integer> queueLimits() {
    return s.queueLimits();
  }
}
