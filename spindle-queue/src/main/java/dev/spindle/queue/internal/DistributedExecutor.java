package dev.spindle.queue.internal;

import dev.spindle.ExecutionLabel;
import dev.spindle.ExecutorConfig;
import dev.spindle.ExecutorStats;
import dev.spindle.MapOptions;
import dev.spindle.RejectedSubmissionException;
import dev.spindle.ResultIterator;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.DistributedOptions;
import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobListener;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobState;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.spi.JsonCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DISTRIBUTED model's {@link TaskExecutor}: every submission is a job in a durable store, its
 * future completed from the job's result; an optional embedded worker consumes the queue in this
 * JVM. Thread-safe.
 */
final class DistributedExecutor implements TaskExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(DistributedExecutor.class);

  private final ExecutorConfig config;
  private final DistributedOptions options;
  private final JobStore store;
  private final boolean ownsStore;
  private final ClientCore core;
  private final Listeners observed;
  private final ConcurrentHashMap<String, Task<?, ?>> tasks = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, DistFuture<?>> outstanding = new ConcurrentHashMap<>();
  /** The embedded worker, or null without one. */
  private final @Nullable WorkerRuntime worker;
  private final LongAdder executed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder runtimeNanos = new LongAdder();
  private final AtomicBoolean shutdown = new AtomicBoolean();
  private final AtomicBoolean finishing = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);
  /** Jobs the embedded worker started before their future was registered (bounded: LRU of 10,000). */
  private final java.util.LinkedHashMap<String, Boolean> startedEarly = new java.util.LinkedHashMap<>(16, 0.75f,
      false) {
    @Override
    protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
      return size() > 10_000;
    }
  };

  public DistributedExecutor(ExecutorConfig config) {
    this.config = config;
    this.options = config.extension(DistributedOptions.class).orElseGet(DistributedOptions::defaults);
    if (options.store() != null) {
      this.store = options.store();
      this.ownsStore = false;
    } else {
      this.store = JobStores.open(options.storeLocation() != null ? options.storeLocation()
          : JobStores.defaultLocation());
      this.ownsStore = true;
    }
    JsonCodec codec = JsonCodec.defaults();
    this.observed = Listeners.of(List.of(), options.observer());
    this.core = new ClientCore(store, codec, config.clock(), observed, config.name());
    WorkerRuntime w = null;
    if (options.embeddedWorker()) {
      TaskRegistry registry = config.registry();
      WorkerSettings.TaskResolver resolver = new WorkerSettings.TaskResolver() {
        @Override
        public Optional<Task<?, ?>> find(String name) {
          Optional<Task<?, ?>> t = registry.find(name);
          return t.isPresent() ? t : Optional.ofNullable(tasks.get(name));
        }

        @Override
        public String describeKnown() {
          List<String> names = new ArrayList<>(registry.names());
          tasks.keySet().stream().filter(n -> !names.contains(n)).forEach(names::add);
          return names.isEmpty() ? "none" : String.join(", ", names);
        }

        @Override
        public Set<String> names() {
          Set<String> names = new java.util.HashSet<>(registry.names());
          names.addAll(tasks.keySet());
          return names;
        }
      };
      JobListener started = e -> {
        if (e.type() == JobEvent.Type.STARTED) {
          DistFuture<?> f = outstanding.get(e.jobId());
          if (f == null) {
            // the worker may start a job before submit() has registered its future
            synchronized (startedEarly) {
              startedEarly.put(e.jobId(), Boolean.TRUE);
            }
            f = outstanding.get(e.jobId());
            if (f == null || !takeStartedEarly(e.jobId())) {
              return;
            }
          }
          markStarted(f);
        }
      };
      WorkerSettings ws = new WorkerSettings(store, config.name(), List.of(options.jobOptions().queue()),
          Math.max(1, config.workers()), options.workerModel(), null, resolver, registry, codec, config.clock(),
          Listeners.of(List.of(started), options.observer()), Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(1),
          Duration.ofSeconds(30), true, ScheduleRunner.CHECK_INTERVAL, true, RetentionLimits.defaults(), Duration.ofMinutes(1),
          RandomGenerator.getDefault(), java.util.Map.of(),
          dev.spindle.queue.Worker.DEFAULT_CLOCK_SKEW_WARNING, (parent, fence, children) -> {
            throw new UnsupportedOperationException("a task run by the DISTRIBUTED executor cannot add children;"
                + " submit a workflow through a JobQueue and run it with a Worker");
          }, 0);
      try {
        w = new WorkerRuntime(ws);
        w.start();
      } catch (RuntimeException e) {
        core.close();
        if (ownsStore) {
          store.close();
        }
        throw e;
      }
    }
    this.worker = w;
  }

  @Override
  public ExecutorConfig config() {
    return config;
  }

  @Override
  public <I, O> TaskFuture<O> submit(Task<I, O> task, I input, ExecutionLabel label) {
    java.util.Objects.requireNonNull(label, "label");
    return submit(task, input); // the queue names its jobs and counts their attempts itself
  }

  @Override
  public <I, O> TaskFuture<O> submit(Task<I, O> task, I input) {
    if (shutdown.get()) {
      rejected.increment();
      throw new RejectedSubmissionException(RejectedSubmissionException.Reason.SHUTDOWN,
          "executor '" + config.name() + "' is shut down");
    }
    int waiting = outstanding.size() - running();
    if (waiting >= config.maxQueued()) {
      rejected.increment();
      throw new RejectedSubmissionException(RejectedSubmissionException.Reason.BACKLOG_FULL,
          "executor '" + config.name() + "' has " + waiting + " jobs waiting to run, its limit (maxQueued "
          + config.maxQueued() + ")");
    }
    TaskRegistry registry = config.registry();
    if (!registry.names().isEmpty()) {
      registry.require(task.name());
    } else {
      Task<?, ?> prev = tasks.putIfAbsent(task.name(), task);
      if (prev != null && prev != task) {
        throw new IllegalArgumentException("two different tasks are named '" + task.name() + "'");
      }
    }
    JobOptions o = options.jobOptions();
    Instant now = config.clock().instant();
    String json = Payloads.toJson(core.codec(), input, "input of task '" + task.name() + "'");
    NewJob job = new NewJob(task.name(), json, o.queue(), o.priority(), o.effectiveRunAt(now), null, o.policy(), now,
        observed.captureContext(o.queue(), task.name()));
    EnqueueResult r = store.enqueue(List.of(job)).get(0);
    if (r.created()) {
      observed.enqueued(o.queue(), task.name());
    }
    DistFuture<O> f = new DistFuture<>(core, r.jobId(), task);
    outstanding.put(r.jobId(), f);
    if (takeStartedEarly(r.jobId())) {
      markStarted(f);
    }
    f.onDone(done -> f.account(null));
    f.startWatching();
    return f;
  }

  /** True if the worker reported the job started before its future was registered (exactly one caller wins). */
  private boolean takeStartedEarly(String jobId) {
    synchronized (startedEarly) {
      return startedEarly.remove(jobId) != null;
    }
  }

  private void markStarted(DistFuture<?> f) {
    if (!f.tryStart(() -> stopLocally(f.id())) && f.isCancelled()) {
      stopLocally(f.id()); // cancelled locally just before the worker claimed it
    }
  }

  private int running() {
    return worker == null ? 0 : worker.stats().running();
  }

  private void stopLocally(String jobId) {
    if (worker != null) {
      worker.cancelRunning(jobId);
    }
  }

  /**
   * A future following one job. Its counters are updated before it completes (so a caller that saw
   * the result also sees the statistics), or, for a local cancel, by its done-callback.
   */
  private final class DistFuture<O> extends JobFuture<O> {
    private final java.util.concurrent.atomic.AtomicBoolean accounted = new java.util.concurrent.atomic.AtomicBoolean();

    DistFuture(ClientCore core, String jobId, Task<?, O> task) {
      super(core, jobId, task.name(), task.outputType(), false);
    }

    @Override
    protected void onFinished(JobInfo job) {
      account(job);
    }

    void account(@Nullable JobInfo job) {
      if (!accounted.compareAndSet(false, true)) {
        return;
      }
      outstanding.remove(id());
      if (job == null || job.state() == JobState.CANCELLED) {
        cancelled.increment();
      } else {
        executed.increment();
        if (job.state() != JobState.SUCCEEDED) {
          failed.increment();
        }
        if (job.startedAt() != null && job.finishedAt() != null) {
          runtimeNanos.add(Math.max(1000, Duration.between(job.startedAt(), job.finishedAt()).toNanos()));
        }
      }
      if (shutdown.get() && outstanding.isEmpty()) {
        finish();
      }
    }
  }

  @Override
  public <I, O> ResultIterator<O> map(Task<I, O> task, Iterable<? extends I> inputs, MapOptions mapOptions) {
    int window = mapOptions.window() > 0 ? mapOptions.window() : Math.max(16, 4 * Math.max(1, config.workers()));
    return new WindowedMap<>(this, task, inputs.iterator(), window, mapOptions.timeout());
  }

  @Override
  public ExecutorStats stats() {
    int active = running();
    int out = outstanding.size();
    return new ExecutorStats(executed.sum(), failed.sum(), cancelled.sum(), rejected.sum(),
        Duration.ofNanos(runtimeNanos.sum()), Math.max(0, out - active), Math.min(active, out));
  }

  @Override
  public void shutdown() {
    if (shutdown.compareAndSet(false, true) && outstanding.isEmpty()) {
      finish();
    }
  }

  @Override
  public List<TaskFuture<?>> shutdownNow() {
    shutdown.set(true);
    List<TaskFuture<?>> neverRan = new ArrayList<>();
    for (DistFuture<?> f : new ArrayList<>(outstanding.values())) {
      CancelResult r;
      try {
        r = core.store().cancel(f.id(), config.clock().instant());
      } catch (RuntimeException e) {
        LOG.warn("cancelling job {} failed: {}", f.id(), e.toString());
        r = CancelResult.NOT_FOUND;
      }
      f.cancelLocally();
      if (r == CancelResult.CANCELLED) {
        neverRan.add(f);
      }
    }
    if (outstanding.isEmpty()) {
      finish();
    }
    return neverRan;
  }

  private void finish() {
    if (!finishing.compareAndSet(false, true)) {
      return;
    }
    Thread.ofPlatform().name("spindle-" + config.name() + "-shutdown").start(() -> {
      try {
        if (worker != null) {
          worker.stop(Duration.ofSeconds(30));
        }
        core.close();
        if (ownsStore) {
          store.close();
        }
      } catch (RuntimeException e) {
        LOG.warn("stopping executor '{}' failed", config.name(), e);
      } finally {
        terminated.countDown();
      }
    });
  }

  @Override
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return terminated.await(ClientCore.toNanos(timeout), TimeUnit.NANOSECONDS);
  }

  @Override
  public boolean isShutdown() {
    return shutdown.get();
  }

  @Override
  public boolean isTerminated() {
    return terminated.getCount() == 0;
  }

  @Override
  public String toString() {
    return "DistributedExecutor[" + config.name() + " on " + store.describe() + "]";
  }
}
