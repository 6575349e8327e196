package dev.spindle.queue;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.internal.ChildSubmitter;
import dev.spindle.queue.internal.Listeners;
import dev.spindle.queue.internal.WorkerRuntime;
import dev.spindle.queue.internal.WorkerSettings;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.spi.JsonCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Consumes jobs from a store and runs them on a local execution model (threads, virtual threads, a
 * pool of child JVMs). Any number of workers, in any number of processes, may share a store.
 *
 * <ul>
 *   <li>By default claims only as many jobs as it has free slots, so a slow job never holds back
 *       jobs another worker could run; {@link Builder#prefetch} claims ahead for drains of short
 *       jobs.
 *   <li>Holds a lease on its jobs, renewed by heartbeats. If it dies (even {@code kill -9}) the
 *       lease runs out and any other worker takes the jobs back; a job whose worker died
 *       {@link JobPolicy#maxWorkerLost()} times is dead-lettered ({@code worker_lost}). If it was only
 *       paused and lost its lease, it cannot complete the job any more (fencing).
 *   <li>Retries failures by the job's {@link RetryPolicy}, stops executions over their timeout,
 *       stops cancelled ones, dead-letters jobs with unreadable arguments. A job of a task it does not
 *       know (a newer version enqueued it during a rolling deploy) is handed back QUEUED, without
 *       counting the attempt, for a worker that knows the task; from then on this worker claims only
 *       the tasks it knows. Its heartbeats register its task names.
 *   <li>Fires recurring {@link Schedule}s (each tick exactly once across all workers), reclaims jobs
 *       of dead workers and applies retention.
 *   <li>{@link #close()} is a graceful stop: no more claims, running jobs get the shutdown grace to
 *       finish, the rest are handed back to run elsewhere. A job whose task called
 *       {@code System.exit} (the usual reason a shutdown hook closes the worker) is not handed back:
 *       it counts a lost-worker strike, like a {@code kill -9}, so it dead-letters
 *       ({@code worker_lost}) after {@link JobPolicy#maxWorkerLost()} instead of killing every
 *       worker that takes it.
 *   <li>On THREADS, a task that outlives its timeout because it ignores the interrupt does not keep
 *       its slot: the slot gets a fresh thread and {@link WorkerStats#stuck} counts the old one until
 *       its task returns. A job's timeout runs from when its task begins to run.
 * </ul>
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link Builder#registry}</td><td>required: the tasks it may run</td></tr>
 *   <tr><td>{@link Builder#queues}</td><td>{@code default}; listed queues are drained in order</td></tr>
 *   <tr><td>{@link Builder#concurrency}</td><td>available processors</td></tr>
 *   <tr><td>{@link Builder#prefetch}</td><td>0: claims only for free slots</td></tr>
 *   <tr><td>{@link Builder#model}</td><td>THREADS</td></tr>
 *   <tr><td>{@link Builder#leaseDuration}</td><td>10 s</td></tr>
 *   <tr><td>{@link Builder#heartbeatInterval}</td><td>1 s (also how fast cancel requests are seen)</td></tr>
 *   <tr><td>{@link Builder#pollInterval}</td><td>1 s: longest idle wait without a change signal</td></tr>
 *   <tr><td>{@link Builder#shutdownGrace}</td><td>30 s</td></tr>
 *   <tr><td>{@link Builder#retention}</td><td>{@link RetentionLimits#defaults()}, applied every minute</td></tr>
 *   <tr><td>{@link Builder#clockSkewWarning}</td><td>2 s</td></tr>
 *   <tr><td>{@link Builder#progressLimits}</td><td>{@link ProgressLimits#defaults()}: the last 100 log
 *       lines per job, 2,000 characters per line</td></tr>
 *   <tr><td>{@link Builder#progressFlushInterval}</td><td>1 s</td></tr>
 * </table>
 *
 * <p>Thread-safe. Its own timing (timeouts, heartbeat and retry intervals, event times) uses the
 * injected {@link Clock}; only how long its threads wait between checks is real time. Leases and
 * due times are decided on the <em>store's</em> clock: the worker's instants reach the store as
 * durations from its {@code now}, so a worker whose clock is off keeps its leases. At each
 * heartbeat it compares its clock with the store's ({@link #clockSkew()}) and logs a warning (at
 * most every 10 minutes while it lasts) when they differ by more than
 * {@link Builder#clockSkewWarning}.
 */
public final class Worker implements AutoCloseable {
  /** The default {@link Builder#clockSkewWarning}: 2 s. */
  public static final Duration DEFAULT_CLOCK_SKEW_WARNING = Duration.ofSeconds(2);

  private final WorkerRuntime runtime;

  private Worker(WorkerRuntime runtime) {
    this.runtime = runtime;
  }

  /** A builder for a worker on {@code store}. */
  public static Builder builder(JobStore store) {
    return new Builder(store);
  }

  /** The unique id this worker registers under ({@code name@host:pid#random}). */
  public String id() {
    return runtime.workerId();
  }

  /** A snapshot of its counters. */
  public WorkerStats stats() {
    return runtime.stats();
  }

  /**
   * The statistics of the local executor running its jobs (submitted, running, completed, failed,
   * cancelled, rejected), or empty before it started.
   */
  public java.util.Optional<dev.spindle.ExecutorStats> executorStats() {
    return runtime.executorStats();
  }

  /** Makes it look for work now, e.g. after a test moved a manual clock. */
  public void wakeUp() {
    runtime.wakeUp();
  }

  /** Stops claiming; running jobs go on. Returns at once. */
  public void shutdown() {
    runtime.shutdown();
  }

  /** Waits until it stopped after {@link #shutdown()}: running jobs finished and their outcomes saved. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return runtime.awaitTermination(timeout);
  }

  /**
   * How far this worker's clock was ahead of the store's at its last heartbeat (negative: behind);
   * empty if the store does not tell its time.
   */
  public Optional<Duration> clockSkew() {
    return Optional.ofNullable(runtime.clockSkew());
  }

  /**
   * The error that stopped this worker if one of its internal threads died (see
   * {@link Builder#onFatal}); empty while it is healthy or after a normal stop.
   */
  public Optional<Throwable> failure() {
    return runtime.failure();
  }

  /** True once stopped. */
  public boolean isTerminated() {
    return runtime.isTerminated();
  }

  /** Graceful stop with this grace period (see the class description). */
  public void stop(Duration grace) {
    runtime.stop(grace);
  }

  /** Graceful stop with the configured shutdown grace. */
  @Override
  public void close() {
    runtime.close();
  }

  @Override
  public String toString() {
    return "Worker[" + id() + "]";
  }

  /** Validates settings as they are given. Not thread-safe. */
  public static final class Builder {
    private final JobStore store;
    private @Nullable TaskRegistry registry;
    private final Set<String> queues = new LinkedHashSet<>();
    private int concurrency = Runtime.getRuntime().availableProcessors();
    private int prefetch;
    private ExecutionModel model = ExecutionModel.THREADS;
    private @Nullable TaskExecutor executor;
    private JsonCodec codec = JsonCodec.defaults();
    private Clock clock = Clock.systemUTC();
    private final List<JobListener> listeners = new ArrayList<>();
    private JobObserver observer = JobObserver.NONE;
    private String name = "worker";
    private Duration leaseDuration = Duration.ofSeconds(10);
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private Duration pollInterval = Duration.ofSeconds(1);
    private Duration shutdownGrace = Duration.ofSeconds(30);
    private boolean runSchedules = true;
    private Duration scheduleInterval = Duration.ofSeconds(1);
    private boolean maintenance = true;
    private dev.spindle.queue.health.@Nullable StallDetector stallDetector;
    private RetentionLimits retention = RetentionLimits.defaults();
    private Duration purgeInterval = Duration.ofMinutes(1);
    private RandomGenerator random = RandomGenerator.getDefault();
    private final Map<String, Integer> queueLimits = new LinkedHashMap<>();
    private Consumer<Throwable> onFatal = t -> { };
    private Duration clockSkewWarning = DEFAULT_CLOCK_SKEW_WARNING;
    private @Nullable KeyRing keyRing;
    private DurableRules durableRules = DurableRules.defaults();
    private ProgressLimits progressLimits = ProgressLimits.defaults();
    private Duration progressFlushInterval = dev.spindle.queue.internal.ProgressSettings.DEFAULT_FLUSH_INTERVAL;
    private final Map<String, Duration> memoized = new LinkedHashMap<>();

    private Builder(JobStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /** The tasks this worker may run; a job of any other task is dead-lettered. */
    public Builder registry(TaskRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * The queues to consume, in priority order (replaces earlier calls).
     *
     * @throws IllegalArgumentException if empty or a name is invalid
     */
    public Builder queues(String... queues) {
      return queues(List.of(queues));
    }

    /** {@link #queues(String...)} from a list. */
    public Builder queues(List<String> queues) {
      if (queues.isEmpty()) {
        throw new IllegalArgumentException("a worker needs at least one queue");
      }
      this.queues.clear();
      queues.forEach(q -> this.queues.add(JobOptions.validateQueue(q)));
      return this;
    }

    /**
     * How many jobs run at once (slots).
     *
     * @throws IllegalArgumentException if below 1 or above 10,000
     */
    public Builder concurrency(int concurrency) {
      if (concurrency < 1 || concurrency > 10_000) {
        throw new IllegalArgumentException("concurrency must be in 1..10000: " + concurrency);
      }
      this.concurrency = concurrency;
      return this;
    }

    /**
     * How many jobs the worker may claim beyond its free slots, so that a slot that frees starts its
     * next job at once instead of after the next store call, and jobs run while the worker waits on
     * the store. It claims ahead only while its jobs usually run shorter than a store call takes
     * (moving averages), so long jobs never wait behind a claimed one; a claimed job no slot takes
     * within 100 ms, and every such job of a stopping worker, is handed back (QUEUED, not a
     * strike). Jobs claimed ahead are RUNNING in the store under this worker's lease and count
     * against queue and flow limits; {@link WorkerStats#running} and busy slots count only started
     * ones; a cancel request ends such a job before it starts. For drains of short jobs:
     * {@code prefetch(concurrency)} drained no-op jobs 10-39 % faster on SQLite, Redis and
     * PostgreSQL, with about a quarter less store CPU per job (docs/QUEUE.md). Default 0 (off).
     *
     * @throws IllegalArgumentException if below 0 or above 10,000
     */
    public Builder prefetch(int prefetch) {
      if (prefetch < 0 || prefetch > 10_000) {
        throw new IllegalArgumentException("prefetch must be in 0..10000: " + prefetch);
      }
      this.prefetch = prefetch;
      return this;
    }

    /**
     * The local model running the jobs: SEQUENTIAL (needs concurrency 1), THREADS, VIRTUAL, or
     * PROCESSES (needs a portable registry).
     *
     * @throws IllegalArgumentException for DISTRIBUTED
     */
    public Builder model(ExecutionModel model) {
      if (Objects.requireNonNull(model, "model") == ExecutionModel.DISTRIBUTED) {
        throw new IllegalArgumentException("a worker runs jobs on a local model, not DISTRIBUTED");
      }
      this.model = model;
      return this;
    }

    /** Runs jobs on this executor instead of creating one; the worker does not shut it down. */
    public Builder executor(TaskExecutor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * The keys that decrypt encrypted job arguments; the result of a job whose arguments were
     * encrypted is encrypted under the ring's primary key. Without a ring (the default) an encrypted
     * job fails, under its retry policy, with a {@link MissingKeyException} naming the key id; its
     * arguments stay as they were. See {@link KeyRing}.
     */
    public Builder encryption(KeyRing ring) {
      this.keyRing = Objects.requireNonNull(ring, "ring");
      return this;
    }

    /** The payload codec (its size limit applies to results). */
    public Builder codec(JsonCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * The clock for timestamps, leases, delays and schedules; default the system's UTC clock. The
     * housekeeping periods (heartbeats, reclaiming, schedule checks, retention) fall due when this
     * clock or the monotonic clock says they have passed, so a clock stepped back (or one a test
     * holds still) delays none of them. Job timeouts are lengths of time and run on the monotonic
     * clock alone: no step of this clock cuts one short or stretches it.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The metrics and tracing hook: told of each attempt's start (with its wait) and end (with its
     * outcome and run time), and of the jobs recurring schedules add. Default {@link JobObserver#NONE}.
     */
    public Builder observer(JobObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /** Adds a listener for this worker's job events. */
    public Builder listener(JobListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * A readable name (thread names, {@code spindle status}).
     *
     * @throws IllegalArgumentException if not 1-64 printable ASCII characters without spaces
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (!name.matches("[\\x21-\\x7e]{1,64}")) {
        throw new IllegalArgumentException("worker name must be 1-64 printable ASCII characters without spaces: '"
            + dev.spindle.spi.Echo.of(name) + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * How long the lease on its jobs lasts without a heartbeat: how soon jobs of a dead worker run
     * elsewhere. Must be at least twice the heartbeat interval.
     */
    public Builder leaseDuration(Duration lease) {
      this.leaseDuration = positive(lease, "leaseDuration");
      return this;
    }

    /**
     * How far its clock may differ from the store's (measured at each heartbeat) before it logs a
     * warning; default 2 s. Leases stay correct whatever the difference: the warning is for
     * timestamps, timeouts and schedules, which use the worker's clock.
     */
    public Builder clockSkewWarning(Duration bound) {
      this.clockSkewWarning = positive(bound, "clockSkewWarning");
      return this;
    }

    /** How often it renews its lease and picks up cancel requests. */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = positive(interval, "heartbeatInterval");
      return this;
    }

    /** The longest an idle worker waits before looking for jobs without being signalled. */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = positive(interval, "pollInterval");
      return this;
    }

    /** How long {@link #close()} lets running jobs finish before handing them back. */
    public Builder shutdownGrace(Duration grace) {
      if (Objects.requireNonNull(grace, "grace").isNegative()) {
        throw new IllegalArgumentException("shutdownGrace must not be negative: " + grace);
      }
      this.shutdownGrace = grace;
      return this;
    }

    /** Whether this worker fires recurring schedules (default true). */
    public Builder runSchedules(boolean run) {
      this.runSchedules = run;
      return this;
    }

    /**
     * How often it looks for due recurring schedules (default 1 s). Ticks closer together than this
     * are late when seen, and the misfire policy applies to them.
     */
    public Builder scheduleInterval(Duration interval) {
      this.scheduleInterval = positive(interval, "scheduleInterval");
      return this;
    }

    /** Whether this worker reclaims dead workers' jobs and applies retention (default true). */
    public Builder maintenance(boolean run) {
      this.maintenance = run;
      return this;
    }

    /**
     * Runs a stall detector in this worker's housekeeping, every {@link
     * dev.spindle.queue.health.StallRules#interval()} on the store's clock, while the worker does
     * maintenance ({@link #maintenance}). Several workers may run one each on the same store: each
     * incident is still raised and alerted once. None by default.
     */
    public Builder stallDetector(dev.spindle.queue.health.StallDetector detector) {
      this.stallDetector = Objects.requireNonNull(detector, "detector");
      return this;
    }

    /** Bounds on kept finished jobs. */
    public Builder retention(RetentionLimits retention) {
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /** How often retention runs. */
    public Builder purgeInterval(Duration interval) {
      this.purgeInterval = positive(interval, "purgeInterval");
      return this;
    }

    /** The random source of retry jitter (tests inject a fixed one). */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** The limits and the divergence rule of its jobs' durable calls ({@link DurableContext}). */
    public Builder durableRules(DurableRules rules) {
      this.durableRules = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /**
     * How much of what its jobs report ({@link dev.spindle.TaskContext#progress}, {@link
     * dev.spindle.TaskContext#log}) is kept: log lines per job and characters per line.
     */
    public Builder progressLimits(ProgressLimits limits) {
      this.progressLimits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * How long its running jobs' reports may wait in the worker before they are written; reports
     * are written for all running jobs in one store call at this pace, and a job's last reports with
     * its outcome. Shorter shows progress sooner at the cost of more store calls while jobs report.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder progressFlushInterval(Duration interval) {
      this.progressFlushInterval = positive(interval, "progressFlushInterval");
      return this;
    }

    /**
     * Memoizes the results of {@code taskName}: a job of it whose arguments equal those of a job that
     * succeeded within {@code ttl} succeeds with that job's result without running. The results are
     * kept in the store ({@link dev.spindle.queue.spi.DurableStore#cached}); a store without durable
     * execution runs every job.
     *
     * @throws IllegalArgumentException if {@code ttl} is not positive
     */
    public Builder memoize(String taskName, Duration ttl) {
      dev.spindle.Task.validateName(taskName);
      memoized.put(taskName, positive(ttl, "memoization time"));
      return this;
    }

    /** {@link #memoize(String, Duration)} of {@code task}. */
    public Builder memoize(dev.spindle.Task<?, ?> task, Duration ttl) {
      return memoize(task.name(), ttl);
    }

    /**
     * Sets a queue's concurrency limit in the store at start, enforced across all workers (0 removes
     * it).
     */
    public Builder queueLimit(String queue, int maxRunning) {
      JobOptions.validateQueue(queue);
      if (maxRunning < 0) {
        throw new IllegalArgumentException("a queue limit must be >= 0: " + maxRunning);
      }
      queueLimits.put(queue, maxRunning);
      return this;
    }

    /**
     * Called once, on the dying thread, if an internal thread of the worker dies (a bug, or an
     * Error such as OutOfMemoryError). The worker has then stopped for good: it neither claims nor
     * heartbeats, so its jobs run elsewhere once its lease expires. A process that runs only this
     * worker should exit non-zero here so that its supervisor restarts it. Default: nothing beyond
     * the ERROR log line.
     */
    public Builder onFatal(Consumer<Throwable> handler) {
      this.onFatal = Objects.requireNonNull(handler, "handler");
      return this;
    }

    private static Duration positive(Duration d, String what) {
      if (Objects.requireNonNull(d, what).isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }

    /**
     * Validates the settings.
     *
     * @throws IllegalStateException if no registry was given, SEQUENTIAL is combined with a
     *     concurrency above 1, or the lease is shorter than two heartbeat intervals
     */
    WorkerSettings settings() {
      TaskRegistry reg = registry;
      if (reg == null) {
        throw new IllegalStateException("a worker needs a task registry: registry(TaskRegistry.of(...))");
      }
      if (model == ExecutionModel.SEQUENTIAL && concurrency != 1 && executor == null) {
        throw new IllegalStateException("SEQUENTIAL runs one job at a time: use concurrency(1)");
      }
      if (leaseDuration.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
        throw new IllegalStateException("leaseDuration " + leaseDuration + " must be at least twice the "
            + "heartbeatInterval " + heartbeatInterval);
      }
      List<String> qs = queues.isEmpty() ? List.of(JobOptions.DEFAULT_QUEUE) : List.copyOf(queues);
      return new WorkerSettings(store, name, qs, concurrency, model, executor,
          WorkerSettings.TaskResolver.of(reg), reg, codec, clock, Listeners.of(listeners, observer), leaseDuration,
          heartbeatInterval, pollInterval, shutdownGrace, runSchedules, scheduleInterval, maintenance, retention,
          purgeInterval,
          random, Map.copyOf(queueLimits), clockSkewWarning, children(reg), prefetch, keyRing,
          new dev.spindle.queue.internal.DurableSettings(durableRules, memoized),
          new dev.spindle.queue.internal.ProgressSettings(progressLimits, progressFlushInterval),
          stallDetector);
    }

    /** Adds children for {@link RunningJob#addChildren}: the queue's workflow rules, the worker's tasks. */
    private ChildSubmitter children(TaskRegistry reg) {
      JobStore st = store;
      JsonCodec json = codec;
      Clock c = clock;
      KeyRing ring = keyRing;
      return (parent, fence, children) -> {
        List<NewJob> jobs = dev.spindle.queue.internal.Sealing.sealArgs(ring, WorkflowJobs.of(children, reg, json,
            JobOptions.defaults(), c.instant(), JobQueue.DEFAULT_MAX_WORKFLOW_SIZE));
        List<EnqueueResult> added = st.addChildren(parent, fence, jobs, children.exits());
        return added.stream().map(EnqueueResult::jobId).toList();
      };
    }

    /**
     * Builds and starts the worker.
     *
     * @throws IllegalStateException if no registry was given, SEQUENTIAL is combined with a
     *     concurrency above 1, or the lease is shorter than two heartbeat intervals
     * @throws StoreException if the store cannot be reached
     */
    public Worker start() {
      WorkerRuntime rt = new WorkerRuntime(settings());
      rt.onFatal(onFatal);
      rt.start();
      return new Worker(rt);
    }
  }
}
