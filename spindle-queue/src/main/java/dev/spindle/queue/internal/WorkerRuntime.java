package dev.spindle.queue.internal;

import dev.spindle.ExecutionLabel;
import dev.spindle.ExecutionModel;
import dev.spindle.PayloadException;
import dev.spindle.RejectedSubmissionException;
import dev.spindle.Spindle;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.TaskTimeoutException;
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
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.spi.WorkerRecord;
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
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(25);
  private static final Task<InFlight.Call, Object> RUN_JOB =
      Task.withContext("spindle.queue.job", InFlight.Call.class, Object.class, (call, ctx) -> call.run(ctx));

  private final WorkerSettings s;
  private final String workerId;
  private final Instant startedAt;
  private final ReentrantLock lock = new ReentrantLock();
  /** Held by the dispatcher during each store call; {@link #shutdown()} waits for it. */
  private final ReentrantLock claimLock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Condition idle = lock.newCondition();
  private final ConcurrentHashMap<String, InFlight> inFlight = new ConcurrentHashMap<>();
  /** Outcomes waiting to be written; added by any thread, taken by the dispatcher. */
  private final java.util.concurrent.ConcurrentLinkedQueue<Done> pending =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** Outcomes a failed store call must write first; dispatcher thread only. */
  private final ArrayDeque<Done> unsaved = new ArrayDeque<>();
  /** True while the dispatcher waits (or is about to); producers signal only then. */
  private volatile boolean dispatcherWaiting;
  private final AtomicInteger running = new AtomicInteger();
  /** The observer's attempt ends, delivered off the dispatcher thread. */
  private final AttemptEnds attemptEnds;
  private final ScheduleRunner schedules;
  private final LongAdder claimed = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder dead = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final LongAdder released = new LongAdder();
  private final LongAdder leaseLost = new LongAdder();
  private final LongAdder timedOut = new LongAdder();
  private volatile boolean storeChanged = true;
  private volatile boolean stopping;
  private volatile boolean terminated;
  private boolean stopped;
  private volatile long giveUpFlushAtNanos = Long.MAX_VALUE;
  private volatile TaskExecutor executor;
  private boolean ownsExecutor;
  private boolean wrapContext;
  private Subscription subscription;
  private Thread dispatcher;
  private Thread housekeeper;
  private volatile double rate;
  /** Worker clock minus store clock at the last heartbeat; null until the store told its time. */
  private volatile Duration clockSkew;
  private final Object skewLock = new Object();
  private long lastSkewWarningNanos;
  private boolean skewWarned;
  /** How soon to look again when the store reports a due job but gives none. */
  private static final Duration DUE_RECHECK = Duration.ofMillis(50);
  private static final long SKEW_WARNING_EVERY_NANOS = TimeUnit.MINUTES.toNanos(10);
  private volatile Throwable fatal;
  private volatile Consumer<Throwable> onFatal = t -> { };

  /**
   * How an execution ended, waiting to be written to the store.
   *
   * @param attempt the observer's handle of the attempt
   * @param runNanos how long the execution ran
   */
  private record Done(JobInfo job, Completion completion, JobEvent.Type type, JobState state, JobError error,
      String detail, JobObserver.Attempt attempt, long runNanos) {
    /** An outcome of an execution that never started on the executor. */
    Done(JobInfo job, Completion completion, JobEvent.Type type, JobState state, JobError error, String detail) {
      this(job, completion, type, state, error, detail, JobObserver.Attempt.NONE, 0);
    }

    /** The same outcome, reported to the observer's handle of the execution {@code f}. */
    Done of(InFlight f) {
      long end = f.endNanos != 0 ? f.endNanos : System.nanoTime();
      return new Done(job, completion, type, state, error, detail, f.attempt, Math.max(0, end - f.startNanos));
    }
  }

  public WorkerRuntime(WorkerSettings settings) {
    this.s = settings;
    this.workerId = settings.name() + "@" + hostName() + ":" + ProcessHandle.current().pid() + "#"
        + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    this.startedAt = settings.clock().instant();
    this.attemptEnds = new AttemptEnds(settings.name());
    this.schedules = new ScheduleRunner(settings.store(), settings.listeners(), workerId);
  }

  private static final String HOST = lookUpHostName();

  private static String lookUpHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }

  private static String hostName() {
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
      heartbeat(s.clock().instant());
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
    housekeeper = Thread.ofPlatform().daemon().name("spindle-worker-" + s.name() + "-housekeeping")
        .start(() -> guarded("housekeeping", this::housekeepingLoop));
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
      List<Done> batch;
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
      for (Done next; (next = pending.poll()) != null; ) {
        batch.add(next);
      }
      storeChanged = false;
      Instant now = s.clock().instant();
      List<Completion> completions = new ArrayList<>(batch.size());
      for (Done d : batch) {
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
        nextRunAt = onWorkerClock(ex.claim().nextRunAt());
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
            addDone(new Done(job, Completion.released(job.id(), job.fence(), workerId), JobEvent.Type.RELEASED,
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

  private void logStoreFailure(RuntimeException e, int outcomes) {
    long now = System.nanoTime();
    if (now - lastFailureLogNanos > TimeUnit.SECONDS.toNanos(5)) {
      lastFailureLogNanos = now;
      String what = e instanceof StoreException se ? se.reason() + ": " + se.getMessage() : e.toString();
      LOG.warn("worker {}: the store {} failed ({}); {} outcome(s) kept in memory and retried", workerId,
          s.store().describe(), what, outcomes);
    }
  }

  private void applied(Done d, boolean ok, Instant now) {
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

  private void emit(JobEvent.Type type, JobInfo job, JobState state, Instant at, JobError error, String detail) {
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
      addDone(new Done(job, Completion.dead(job.id(), job.fence(), workerId, JobInfo.UNKNOWN_TASK, err.toJson()),
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
      addDone(new Done(job, Completion.dead(job.id(), job.fence(), workerId, JobInfo.BAD_ARGS, err.toJson()),
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
      refused(f, e);
      return;
    }
    f.future = tf;
    tf.onDone(done -> finished(f, done));
    if (f.stopRequested()) {
      f.stop(); // cancelled (or timed out, or lost) between the claim and the submission
    }
  }

  /** The executor refused a submission: hand the job back, dead-letter it, or count a failure. */
  private void refused(InFlight f, RuntimeException e) {
    JobInfo job = f.job;
    if (e instanceof RejectedSubmissionException) {
      addDone(f, new Done(job, Completion.released(job.id(), job.fence(), workerId), JobEvent.Type.RELEASED,
          JobState.QUEUED, null, "executor refused: " + e.getMessage()));
    } else if (e instanceof dev.spindle.UnknownTaskException || e instanceof PayloadException) {
      String reason = e instanceof PayloadException ? JobInfo.BAD_ARGS : JobInfo.UNKNOWN_TASK;
      JobError err = JobError.from(e);
      LOG.warn("job {}: the executor refused it ({}); dead-lettered", job.id(), e.getMessage());
      addDone(f, new Done(job, Completion.dead(job.id(), job.fence(), workerId, reason, err.toJson()),
          JobEvent.Type.DEAD_LETTERED, JobState.DEAD, err, reason));
    } else {
      LOG.warn("job {}: submitting it to the executor failed", job.id(), e);
      failure(f, e);
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
      recordOutcome(f, tf);
    } catch (RuntimeException | LinkageError | AssertionError e) {
      // building the outcome ran the job's own code (an exception's getMessage, a result getter) and
      // that threw: the job must still end, or it would stay RUNNING under this worker's lease
      String type = e.getClass().getName();
      LOG.warn("job {}: recording its outcome failed ({}); the job fails", f.job.id(), type);
      JobError err = JobError.of(type, "the worker could not record the outcome of this job: its error or "
          + "result threw " + type + " while being read");
      addDone(f, new Done(f.job, Completion.failed(f.job.id(), f.job.fence(), workerId, err.toJson()),
          JobEvent.Type.FAILED, JobState.FAILED, err, "outcome not recordable"));
    } finally {
      // only once the outcome is queued: a stopping dispatcher ends when it sees no job running and
      // then no outcome pending, in that order, so it never ends between the two
      running.decrementAndGet();
      if (dispatcherWaiting) {
        signal();
      }
    }
  }

  /** Turns a finished execution into the outcome to write; may run code of the job's types. */
  private void recordOutcome(InFlight f, TaskFuture<Object> tf) {
    JobInfo job = f.job;
    String id = job.id();
    if (f.lost) {
      f.attempt.finished(JobObserver.Outcome.LOST, Duration.ofNanos(Math.max(0, f.endNanos - f.startNanos)), null);
      return; // the slot is freed by the caller
    }
    if (f.releasing) {
      addDone(f, new Done(job, Completion.released(id, job.fence(), workerId), JobEvent.Type.RELEASED, JobState.QUEUED,
          null, "worker stopping"));
      return;
    }
    Object value;
    try {
      value = tf.result(Duration.ZERO);
    } catch (TaskFailedException e) {
      failure(f, e.getCause() != null ? e.getCause() : e);
      return;
    } catch (java.util.concurrent.CancellationException e) {
      if (f.timedOut) {
        failure(f, new TaskTimeoutException("job " + id + " (task '" + job.task() + "') exceeded its timeout of "
            + job.policy().timeout() + " and was stopped"));
      } else if (f.cancelRequested) {
        addDone(f, new Done(job, Completion.cancelled(id, job.fence(), workerId), JobEvent.Type.CANCELLED,
            JobState.CANCELLED, null, null));
      } else {
        addDone(f, new Done(job, Completion.released(id, job.fence(), workerId), JobEvent.Type.RELEASED,
            JobState.QUEUED, null, "execution cancelled locally"));
      }
      return;
    } catch (RuntimeException e) {
      failure(f, e);
      return;
    }
    String json;
    try {
      json = Payloads.toJson(s.codec(), value, "result of job " + id + " (task '" + job.task() + "')");
    } catch (RuntimeException | LinkageError | AssertionError e) { // the result type's own code may throw too
      JobError err = JobError.from(e);
      addDone(f, new Done(job, Completion.failed(id, job.fence(), workerId, err.toJson()), JobEvent.Type.FAILED,
          JobState.FAILED, err, "result not storable"));
      return;
    }
    addDone(f, new Done(job, Completion.succeeded(id, job.fence(), workerId, json), JobEvent.Type.SUCCEEDED,
        JobState.SUCCEEDED, null, null));
  }

  private void failure(InFlight f, Throwable error) {
    JobInfo job = f.job;
    JobError err = JobError.from(error);
    int failures = job.failures() + 1;
    if (job.policy().retry().shouldRetry(failures, ErrorTypes.of(error))) {
      Instant at = Durations.plus(s.clock().instant(),
          job.policy().retry().backoff(failures, s.random().nextDouble()));
      addDone(f, new Done(job, Completion.retry(job.id(), job.fence(), workerId, err.toJson(), at),
          JobEvent.Type.RETRY_SCHEDULED, JobState.SCHEDULED, err, "retry at " + at));
    } else {
      addDone(f, new Done(job, Completion.failed(job.id(), job.fence(), workerId, err.toJson()), JobEvent.Type.FAILED,
          JobState.FAILED, err, "after " + failures + " failure(s)"));
    }
  }

  private void addDone(InFlight f, Done d) {
    addDone(d.of(f));
  }

  private void addDone(Done d) {
    pending.add(d);
    if (dispatcherWaiting) {
      signal();
    }
  }

  // ---------------------------------------------------------------- housekeeping

  private void housekeepingLoop() {
    Instant nextHeartbeat = Durations.plus(s.clock().instant(), s.heartbeatInterval());
    Instant nextReclaim = s.clock().instant();
    Instant nextSchedules = s.clock().instant();
    Instant nextPurge = Durations.plus(s.clock().instant(), s.purgeInterval());
    while (!terminated) {
      lock.lock();
      try {
        if (terminated) {
          return;
        }
        idle.awaitNanos(TICK_NANOS);
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      try {
        Instant now = s.clock().instant();
        checkTimeouts(now);
        if (!now.isBefore(nextHeartbeat)) {
          heartbeat(now);
          nextHeartbeat = Durations.plus(now, s.heartbeatInterval());
        }
        if (s.maintenance() && !now.isBefore(nextReclaim)) {
          reclaim(now);
          nextReclaim = Durations.plus(now, s.heartbeatInterval());
        }
        if (s.runSchedules() && !stopping && !now.isBefore(nextSchedules)) {
          schedules.runDue(onStoreClock(now));
          nextSchedules = Durations.plus(now, s.scheduleInterval());
        }
        if (s.maintenance() && !now.isBefore(nextPurge)) {
          int n = s.store().purgeExpired(now, s.retention());
          if (n > 0) {
            LOG.debug("worker {} removed {} expired job(s)", workerId, n);
          }
          nextPurge = Durations.plus(now, n >= s.retention().batch() ? Duration.ZERO : s.purgeInterval());
        }
      } catch (RuntimeException e) {
        logStoreFailure(e, 0);
      }
    }
  }

  private void checkTimeouts(Instant now) {
    for (InFlight f : inFlight.values()) {
      if (f.deadline != null && !f.timedOut && !now.isBefore(f.deadline)) {
        f.timedOut = true;
        timedOut.increment();
        LOG.warn("job {} (task '{}') exceeded its timeout of {}; stopping it", f.job.id(), f.job.task(),
            f.job.policy().timeout());
        emit(JobEvent.Type.TIMED_OUT, f.job, JobState.RUNNING, now, null, "timeout " + f.job.policy().timeout());
        f.stop();
      }
    }
  }

  private long lastRateProcessed;
  private Instant lastRateAt;

  private void heartbeat(Instant now) {
    long processed = processedCount();
    if (lastRateAt != null) {
      double secs = Durations.nanosBetween(lastRateAt, now) / 1e9;
      if (secs > 0) {
        double current = (processed - lastRateProcessed) / secs;
        rate = rate == 0 ? current : 0.5 * rate + 0.5 * current;
      }
    }
    lastRateProcessed = processed;
    lastRateAt = now;
    long hbNanos = System.nanoTime();
    WorkerRecord rec = new WorkerRecord(workerId, s.name(), hostName(), ProcessHandle.current().pid(), s.queues(),
        s.concurrency(), (executor == null ? s.model() : executor.model()).name(), stopping ? "STOPPING" : "RUNNING",
        startedAt, now, Durations.plus(now, s.leaseDuration()), running.get(), processed, failed.sum() + dead.sum(), rate);
    HeartbeatResult hb = s.store().heartbeat(rec);
    if (hb.storeTime() != null) {
      measureSkew(now, System.nanoTime() - hbNanos, hb.storeTime());
    }
    for (InFlight f : inFlight.values()) {
      String id = f.job.id();
      if (f.claimedNanos < hbNanos && !hb.held().contains(id) && !f.lost) {
        f.lost = true;
        leaseLost.increment();
        LOG.warn("worker {} lost its lease on job {} (it was reclaimed, probably after a pause longer than the "
            + "lease of {}); stopping it and discarding its outcome", workerId, id, s.leaseDuration());
        emit(JobEvent.Type.LEASE_LOST, f.job, JobState.RUNNING, now, null, null);
        f.stop();
      }
    }
    for (String id : hb.cancelRequested()) {
      InFlight f = inFlight.get(id);
      if (f != null && !f.cancelRequested) {
        f.cancelRequested = true;
        LOG.info("job {} was cancelled while running on worker {}; stopping it", id, workerId);
        f.stop();
      }
    }
  }

  /** The worker's clock minus the store's at the last heartbeat, or null if unknown. */
  public Duration clockSkew() {
    return clockSkew;
  }

  /**
   * {@code now} (the worker's clock) moved onto the store's clock by the skew last measured, if that
   * is beyond the warning bound: the time recurring schedules are planned on, so their ticks fire
   * on the store's clock like leases. A skew within the bound is left alone (it is mostly the
   * round trip's uncertainty).
   */
  private Instant onStoreClock(Instant now) {
    Duration skew = clockSkew;
    return skew == null || skew.abs().compareTo(s.clockSkewWarning()) <= 0 ? now : Durations.plus(now, skew.negated());
  }

  /**
   * A store instant (the next SCHEDULED run time) on the worker's clock, by the skew last measured
   * (unknown skew: unchanged): a worker an hour fast would otherwise see every job due within the
   * hour as due now and claim in a loop. Unlike {@link #onStoreClock}, a skew within the warning
   * bound is applied too: it only moves a wake-up, and the best estimate is the measured one. Null
   * stays null.
   */
  private Instant onWorkerClock(Instant storeInstant) {
    Duration skew = clockSkew;
    return storeInstant == null || skew == null ? storeInstant : Durations.plus(storeInstant, skew);
  }

  /**
   * Compares the worker's clock (read at {@code sentAt}, the call taking {@code roundTripNanos}) with
   * the store's answer, taken as read half-way; warns at most every 10 minutes while the two differ
   * by more than the bound, and once when they agree again.
   */
  private void measureSkew(Instant sentAt, long roundTripNanos, Instant storeTime) {
    Instant mid = Durations.plus(sentAt, Duration.ofNanos(Math.max(0, roundTripNanos) / 2));
    Duration skew = Duration.ofNanos(Durations.nanosBetween(storeTime, mid));
    clockSkew = skew;
    boolean off = skew.abs().compareTo(s.clockSkewWarning()) > 0;
    long t = System.nanoTime();
    synchronized (skewLock) {
      if (off && (!skewWarned || t - lastSkewWarningNanos >= SKEW_WARNING_EVERY_NANOS)) {
        skewWarned = true;
        lastSkewWarningNanos = t;
        LOG.warn("worker {}: its clock is {} {} the store's ({}; warning bound {}). Leases and due times are "
            + "read on the store's clock, so jobs are safe, but this worker's timestamps, timeouts and logs "
            + "are off: synchronise the host's clock (NTP)", workerId, skew.abs(), skew.isNegative() ? "behind"
            : "ahead of", s.store().describe(), s.clockSkewWarning());
      } else if (!off && skewWarned) {
        skewWarned = false;
        LOG.info("worker {}: its clock agrees with the store's again (off by {})", workerId, skew);
      }
    }
  }

  private void reclaim(Instant now) {
    List<JobInfo> reclaimed = s.store().reclaimExpired(now, 1000);
    if (!reclaimed.isEmpty()) {
      LOG.info("worker {} reclaimed {} job(s) of dead workers", workerId, reclaimed.size());
      for (JobInfo j : reclaimed) {
        emit(JobEvent.Type.RECLAIMED, j, j.state(), now, null, j.state().name());
      }
    }
  }

  private long processedCount() {
    return succeeded.sum() + retried.sum() + failed.sum() + dead.sum() + cancelled.sum();
  }

  // ---------------------------------------------------------------- lifecycle

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
