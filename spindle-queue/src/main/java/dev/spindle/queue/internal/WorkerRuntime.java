package dev.spindle.queue.internal;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.WorkerStats;
import dev.spindle.queue.spi.Subscription;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
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
 *
 * <p>This class holds the worker's lifecycle (start, graceful stop, a dying thread) and the state its
 * parts share; the parts are the {@link Dispatcher}, the {@link Housekeeper}, the {@link JobLauncher}
 * (claimed job to running execution), the {@link OutcomeMapper} (finished execution to outcome) and
 * the {@link CompletionReporter} (written completion to counters, events and observer).
 */
public final class WorkerRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);

  private final WorkerSettings s;
  private final String workerId;
  final Instant startedAt;
  final ReentrantLock lock = new ReentrantLock();
  /** Held by the dispatcher during each store call; {@link #shutdown()} waits for it. */
  final ReentrantLock claimLock = new ReentrantLock();
  final Condition wake = lock.newCondition();
  final Condition idle = lock.newCondition();
  final ConcurrentHashMap<String, InFlight> inFlight = new ConcurrentHashMap<>();
  /**
   * Jobs a claim returned that the dispatcher has not yet started, queued to start ahead or given an
   * outcome: known here from the claim's answer on (dispatcher thread; read by the housekeeper).
   */
  final java.util.Set<String> starting = ConcurrentHashMap.newKeySet();
  /**
   * Jobs whose execution ended or whose outcome is queued or being written, until a store call took
   * the outcome (any thread).
   */
  final java.util.Set<String> unconfirmed = ConcurrentHashMap.newKeySet();
  final AtomicInteger running = new AtomicInteger();
  /** Jobs claimed ahead of the free slots ({@link WorkerSettings#prefetch}). */
  final Prefetched prefetched = new Prefetched();
  /** The observer's attempt ends, delivered off the dispatcher thread. */
  private final AttemptEnds attemptEnds;
  private final ScheduleRunner schedules;
  private final OutcomeMapper outcomes;
  private final ClockSkew skew;
  private final Housekeeper housekeeper;
  /** The housekeeper's thread, from {@link #start()} on. */
  private volatile @Nullable Thread housekeeping;
  private final CompletionReporter reporter;
  private final JobLauncher launcher;
  /** Durable sleeps waited out here with their slots given back. */
  final ParkedSleeps parked;
  private final Dispatcher dispatch;
  volatile boolean stopping;
  /** What running jobs report, written in batches. */
  final ProgressReports reports;
  /**
   * Set once a claim returned a job of a task this worker does not know: its claims then name the
   * tasks it knows ({@link dev.spindle.queue.spi.ClaimRequest#tasks}). Unset, claims take any task.
   */
  volatile boolean knownTasksOnly;
  volatile boolean terminated;
  private boolean stopped;
  volatile long giveUpFlushAtNanos = Long.MAX_VALUE;
  @SuppressWarnings("NullAway.Init") // set by start() before the dispatcher runs and any job is submitted
  volatile TaskExecutor executor;
  private boolean ownsExecutor;
  /** Whether executions run wrapped in the job's context (a local model); set by {@link #start}. */
  boolean wrapContext;
  private @Nullable Subscription subscription;
  private @Nullable Thread dispatcher;
  volatile @Nullable Throwable fatal;
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
    this.reporter = new CompletionReporter(settings, workerId, attemptEnds);
    this.reports = new ProgressReports(settings, workerId);
    this.launcher = new JobLauncher(this, settings, workerId, outcomes, reporter);
    this.parked = new ParkedSleeps(this, launcher::reserveSlot, settings.durable().rules());
    this.housekeeper = new Housekeeper(this, settings, workerId, skew, schedules, reporter);
    this.dispatch = new Dispatcher(this, settings, workerId, skew, reporter, attemptEnds, launcher);
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
      s.queueLimits().forEach(s.store()::setQueueLimit);
    }
    if (s.executor() != null) {
      executor = s.executor();
      ownsExecutor = false;
    } else {
      executor = createExecutor();
      ownsExecutor = true;
    }
    try {
      housekeeper.heartbeat();
    } catch (RuntimeException e) {
      if (ownsExecutor) {
        executor.shutdownNow();
      }
      throw e;
    }
    ExecutionModel m = executor.model();
    wrapContext = m != ExecutionModel.PROCESSES && m != ExecutionModel.DISTRIBUTED;
    parked.enabled = ownsExecutor && m == ExecutionModel.VIRTUAL; // a virtual thread per job: parking holds no thread
    subscription = s.store().subscribe(this::onStoreChange);
    dispatcher = Thread.ofPlatform().name("spindle-worker-" + s.name() + "-dispatch")
        .start(() -> guarded("dispatcher", dispatch::dispatchLoop));
    housekeeping = Thread.ofPlatform().daemon().name("spindle-worker-" + s.name() + "-housekeeping")
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
    dispatch.pending.clear();
    terminated = true;
    lock.lock();
    try {
      idle.signalAll();
      wake.signalAll();
    } finally {
      lock.unlock();
    }
    if (awaitHousekeeper()) { // no heartbeat lands once the fatal handler runs
      Thread.currentThread().interrupt();
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

  /**
   * A store change (an enqueue of this process, or another's through the feed): noted for the
   * dispatcher's next look, and the dispatcher woken only if it waits for one. The caller (often a
   * producer's thread, after each enqueue) does not take the worker's lock otherwise: the dispatcher
   * announces its wait before it reads the flag ({@code Dispatcher.awaitChange}), so of the flag's
   * write and that announcement one always sees the other.
   */
  private void onStoreChange() {
    dispatch.storeChanged = true;
    wakeDispatcherIfWaiting();
  }

  /** Makes the dispatcher claim now (for instance after a manual clock moved). */
  public void wakeUp() {
    dispatch.storeChanged = true;
    signal();
  }

  /** Signals the dispatcher's wake condition. */
  void signal() {
    lock.lock();
    try {
      wake.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Queues the outcome of the execution {@code f} for the dispatcher. */
  void addDone(InFlight f, JobOutcome d) {
    reports.ended(f);
    addDone(d.of(f));
  }

  /** Queues an outcome for the dispatcher. */
  void addDone(JobOutcome d) {
    unconfirmed.add(d.job().id());
    dispatch.add(d);
  }

  /** Wakes the dispatcher if it waits (producers signal only then). */
  void wakeDispatcherIfWaiting() {
    // not while it lets outcomes gather: each outcome would wake it (the outcome wakes it on its own)
    if (dispatch.dispatcherWaiting && (dispatch.wakeAt <= 1 || stopping)) {
      signal();
    }
  }

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
    TaskExecutor e = executor;
    return reporter.stats(running.get(), e == null ? 0 : e.stats().stuck(), parked.parked());
  }

  /**
   * Stops claiming; running executions go on. When it returns no further claim starts (a claim in
   * progress is waited for). Idempotent.
   */
  public void shutdown() {
    stopping = true;
    parked.wakeAllForStop(); // they suspend in the store rather than hold up the stop
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
   * outcome, deregisters, and stops the executor if it created it. A job whose task called
   * {@code System.exit} is not handed back: deregistering gives it a lost-worker strike.
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
    abandonExitingJobs();
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
    interrupted |= awaitHousekeeper();
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

  /**
   * A job whose task called {@code System.exit} is why this worker stops (from a shutdown hook): it
   * never returns, and handing it back would run it again without counting its attempt, killing
   * every worker that takes it. Its outcome is dropped instead (like a lost lease's), so the job
   * stays held and {@link dev.spindle.queue.spi.JobStore#deregisterWorker} gives it a lost-worker
   * strike: it dead-letters ({@code worker_lost}) once the strikes reach its limit.
   */
  private void abandonExitingJobs() {
    for (InFlight f : inFlight.values()) {
      if (f.callsExit()) {
        LOG.error("worker {}: job {} (task '{}') called System.exit, which stops this worker; the job keeps its "
            + "attempt and gets a lost-worker strike (dead-lettered as {} after {})", workerId, f.job.id(),
            f.job.task(), dev.spindle.queue.JobInfo.WORKER_LOST, f.job.policy().maxWorkerLost());
        f.lost = true;
        f.stop();
      }
    }
  }

  /**
   * Waits for the housekeeper's store call in flight (a heartbeat, a reclaim), so deregistering is
   * this worker's last store call: a later heartbeat would register it again, and the caller may
   * close the store once {@link #stop} returns. True if interrupted.
   */
  private boolean awaitHousekeeper() {
    Thread h = housekeeping;
    if (h == null || h == Thread.currentThread()) {
      return false;
    }
    try {
      h.join(TimeUnit.SECONDS.toMillis(30));
      if (h.isAlive()) {
        LOG.warn("worker {}: a housekeeping store call did not end within 30 s; deregistering anyway", workerId);
      }
      return false;
    } catch (InterruptedException e) {
      return true;
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
