package dev.spindle.test;

import dev.spindle.Task;
import dev.spindle.TaskContext;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.RateLimitedException;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.spi.JsonCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Runs jobs of a store on the calling thread, one at a time, as a worker would: it fires due
 * schedules, claims a due job, reads its arguments as the task's input type, runs the task, writes
 * its result as JSON, and records the outcome through the store (retries at the job's backoff,
 * dead-lettering of unknown tasks and unreadable arguments). Not thread-safe: one test thread.
 */
final class InlineWorker {
  /** The worker name tasks see in {@link TaskContext#workerName()}. */
  static final String NAME = "spindle-test";
  /** How far ahead each heartbeat renews the lease (the clock only moves when a test moves it). */
  private static final Duration LEASE = Duration.ofDays(3650);
  /** Retry jitter sits at its midpoint, so a retry's backoff is exactly the policy's delay. */
  private static final double NO_JITTER = 0.5;
  /** Ticks one schedule may fire in one step at most. */
  private static final int MAX_TICKS = 1000;

  private final StoreBackend store;
  private final TaskRegistry registry;
  private final JsonCodec codec;
  private final Clock clock;
  private final String workerId = NAME + "@" + Long.toHexString(System.nanoTime());
  private final Instant startedAt;

  InlineWorker(StoreBackend store, TaskRegistry registry, JsonCodec codec, Clock clock) {
    this.store = store;
    this.registry = registry;
    this.codec = codec;
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  /**
   * Fires every schedule whose tick is due now: one job per tick up to now, keyed by the tick.
   *
   * @return the number of jobs enqueued
   */
  int fireDueSchedules() {
    Instant now = clock.instant();
    int fired = 0;
    for (ScheduleRecord rec : store.dueSchedules(now, 100)) {
      Schedule s = Schedule.fromJson(rec.definition());
      JobOptions o = s.jobOptions();
      List<NewJob> jobs = new ArrayList<>();
      Instant tick = rec.nextFireAt();
      Instant last = rec.lastFireAt();
      while (!tick.isAfter(now) && jobs.size() < MAX_TICKS) {
        jobs.add(new NewJob(s.task(), s.argsJson(), o.queue(), o.priority(), now, s.tickKey(tick), o.policy(), now));
        last = tick;
        tick = s.nextTick(tick);
      }
      if (store.fireSchedule(rec.name(), rec.version(), tick, last, jobs)) {
        fired += jobs.size();
      }
    }
    return fired;
  }

  /** The earliest next tick of any schedule, if there is a schedule. */
  Optional<Instant> nextScheduleTick() {
    return store.schedules().stream().map(ScheduleRecord::nextFireAt).min(Instant::compareTo);
  }

  /**
   * Claims one job due now and runs it to its outcome.
   *
   * @return the job as it was claimed, or empty if no job is due
   */
  Optional<JobInfo> runOne() {
    Instant now = clock.instant();
    List<String> queues = queues();
    if (queues.isEmpty()) {
      return Optional.empty();
    }
    store.heartbeat(new WorkerRecord(workerId, NAME, "localhost", ProcessHandle.current().pid(), queues, 1,
        "INLINE", "running", startedAt, now, now.plus(LEASE), 0, 0, 0, 0));
    List<JobInfo> claimed = store.claim(new ClaimRequest(workerId, queues, 1, now)).jobs();
    if (claimed.isEmpty()) {
      return Optional.empty();
    }
    JobInfo job = claimed.get(0);
    Completion c = run(job);
    List<Boolean> applied = store.complete(List.of(c), clock.instant());
    if (applied.isEmpty() || !applied.get(0)) {
      throw new IllegalStateException("the store did not take the outcome " + c.outcome() + " of job " + job.id()
          + " (task '" + job.task() + "')");
    }
    return Optional.of(job);
  }

  /** Every queue with jobs or a limit, by name (a claim takes the first queue's jobs first). */
  private List<String> queues() {
    Set<String> names = new LinkedHashSet<>();
    for (QueueSummary q : store.inspector().queueSummaries()) {
      names.add(q.queue());
    }
    return List.copyOf(new java.util.TreeSet<>(names));
  }

  @SuppressWarnings("unchecked")
  private Completion run(JobInfo job) {
    Task<Object, Object> task = (Task<Object, Object>) registry.find(job.task()).orElse(null);
    if (task == null) {
      JobError err = JobError.of("dev.spindle.UnknownTaskException", "unknown task '" + job.task()
          + "': not in the test queue's task registry (known: " + registry.names() + ")");
      return Completion.dead(job.id(), job.fence(), workerId, JobInfo.UNKNOWN_TASK, err.toJson());
    }
    Object input;
    try {
      input = readInput(task, job.argsJson(), "arguments of job " + job.id() + " (task '" + job.task() + "')");
    } catch (RuntimeException | LinkageError | AssertionError e) {
      return Completion.dead(job.id(), job.fence(), workerId, JobInfo.BAD_ARGS, JobError.from(e).toJson());
    }
    Object result;
    try {
      result = task.run(input, new InlineContext(job.task(), job.id(), Math.max(1, job.attempt()),
          job.traceContext()));
    } catch (Exception | LinkageError | AssertionError e) {
      return failure(job, e);
    }
    try {
      String json = writeJson(result, "result of job " + job.id() + " (task '" + job.task() + "')");
      return Completion.succeeded(job.id(), job.fence(), workerId, json);
    } catch (RuntimeException | LinkageError | AssertionError e) {
      return Completion.failed(job.id(), job.fence(), workerId, JobError.from(e).toJson());
    }
  }

  /** A retry at the policy's backoff (without jitter), or a failure once it gives up. */
  private Completion failure(JobInfo job, Throwable error) {
    if (error instanceof RateLimitedException rl) {
      Instant now = clock.instant();
      // a store without flow control lets the job wait again at once
      store.flow().ifPresent(f -> f.pauseKey(job.id(), job.fence(), now.plus(rl.retryAfter()), now));
      return Completion.released(job.id(), job.fence(), workerId);
    }
    String err = JobError.from(error).toJson();
    int failures = job.failures() + 1;
    if (job.policy().retry().shouldRetry(failures, typeNames(error))) {
      Instant at = clock.instant().plus(job.policy().retry().backoff(failures, NO_JITTER));
      return Completion.retry(job.id(), job.fence(), workerId, err, at);
    }
    return Completion.failed(job.id(), job.fence(), workerId, err);
  }

  /** The error's class name and those of its superclasses and interfaces, as retry rules match them. */
  private static Set<String> typeNames(Throwable error) {
    Set<String> names = new LinkedHashSet<>();
    for (Class<?> c = error.getClass(); c != null; c = c.getSuperclass()) {
      names.add(c.getName());
      addInterfaces(c, names);
    }
    return names;
  }

  private static void addInterfaces(Class<?> c, Set<String> names) {
    for (Class<?> i : c.getInterfaces()) {
      if (names.add(i.getName())) {
        addInterfaces(i, names);
      }
    }
  }

  /** Reads JSON as the task's input type, as a worker does ({@code null} JSON is a null input). */
  Object readInput(Task<?, ?> task, String json, String what) {
    return codec.fromJson(json, task.inputType(), what);
  }

  /** Writes a value as JSON, as a worker writes a result ({@code null} is {@code "null"}). */
  String writeJson(@Nullable Object value, String what) {
    return value == null ? "null" : codec.toJson(value, what);
  }

  /** The {@link TaskContext} of an inline execution: never cancelled. */
  record InlineContext(String taskName, String executionId, int attempt, @Nullable String traceContext)
      implements TaskContext {
    @Override
    public String workerName() {
      return NAME;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }
  }
}
