package dev.spindle.test;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.spi.JsonCodec;
import dev.spindle.testkit.store.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A job queue for tests: the real {@link JobQueue} client on an {@link InMemoryJobStore} whose clock
 * only moves when the test moves it, with a worker that runs jobs on the test's own thread. Hand
 * {@link #queue()} to the code under test, then assert what it enqueued, run what is due, drain,
 * or move time so that delays, retries' backoff and recurring schedules fall due:
 *
 * <pre>{@code
 * try (SpindleTestQueue spindle = SpindleTestQueue.of(TaskRegistry.builder().add(SEND_MAIL).build())) {
 *   new SignupService(spindle.queue()).signUp("a@example.com");
 *   spindle.assertEnqueued(SEND_MAIL, new Mail("a@example.com"), JobMatch.any().delay(Duration.ofMinutes(5)));
 *   spindle.advance(Duration.ofMinutes(5));    // runs it: it was due after five minutes
 *   spindle.refuteEnqueued(SEND_MAIL);
 * }
 * }</pre>
 *
 * <p>Jobs run as a worker runs them: the arguments are read from their stored JSON as the task's
 * input type, the result is written as JSON, a failure is retried at the job's backoff (without
 * jitter, so at exactly the policy's delay) or fails, an unknown task or unreadable arguments are
 * dead-lettered. They run one at a time, so a job's timeout is not enforced, and a task sees no
 * {@link dev.spindle.queue.RunningJob} (it cannot add children).
 *
 * <p>"Enqueued" means waiting to run: {@link JobState#QUEUED}, {@link JobState#SCHEDULED} (delayed or
 * backing off) or {@link JobState#WAITING} (a workflow step waiting for its dependencies).
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link Builder#registry}</td><td>empty: any task name is accepted at enqueue; jobs of tasks
 *     not in it are dead-lettered when run</td></tr>
 *   <tr><td>{@link Builder#start}</td><td>{@link #DEFAULT_START}</td></tr>
 *   <tr><td>{@link Builder#codec}</td><td>{@link JsonCodec#defaults()}</td></tr>
 *   <tr><td>{@link Builder#defaults}</td><td>{@link JobOptions#defaults()}</td></tr>
 *   <tr><td>{@link Builder#maxJobs}</td><td>{@value #DEFAULT_MAX_JOBS} per call</td></tr>
 *   <tr><td>{@link Builder#maxSteps}</td><td>{@value #DEFAULT_MAX_STEPS} per call</td></tr>
 * </table>
 *
 * <p>Not thread-safe: use it from the test's thread (the code under test may enqueue from any
 * thread; the client and the store are thread-safe).
 */
public final class SpindleTestQueue implements AutoCloseable {
  /** Where the clock starts unless {@link Builder#start} says otherwise: 2030-01-01T00:00:00Z, a Tuesday. */
  public static final Instant DEFAULT_START = Instant.parse("2030-01-01T00:00:00Z");
  /** The default of {@link Builder#maxJobs}. */
  public static final int DEFAULT_MAX_JOBS = 1000;
  /** The default of {@link Builder#maxSteps}. */
  public static final int DEFAULT_MAX_STEPS = 100_000;
  private static final Set<JobState> PENDING = EnumSet.of(JobState.WAITING, JobState.SCHEDULED, JobState.QUEUED);
  private static final int LIST_LIMIT = 1_000_000;

  private final ManualClock clock;
  private final InMemoryJobStore store;
  private final JobQueue queue;
  private final TaskRegistry registry;
  private final JsonCodec codec;
  private final InlineWorker worker;
  private final int maxJobs;
  private final int maxSteps;
  private int performs;
  private boolean closed;

  private SpindleTestQueue(Builder b) {
    this.clock = new ManualClock(b.start);
    this.store = new InMemoryJobStore("spindle-test", clock);
    this.registry = b.registry;
    this.codec = b.codec;
    this.queue = JobQueue.builder(store).registry(registry).codec(codec).clock(clock).defaults(b.defaults)
        .name("spindle-test").build();
    this.worker = new InlineWorker(store, registry, codec, clock);
    this.maxJobs = b.maxJobs;
    this.maxSteps = b.maxSteps;
  }

  /**
   * A test queue running the tasks of {@code registry}, with the other settings at their defaults.
   *
   * @param registry the tasks
   * @return the test queue; close it after the test
   */
  public static SpindleTestQueue of(TaskRegistry registry) {
    return builder().registry(registry).build();
  }

  /**
   * A test queue running the tasks of these catalogs, with the other settings at their defaults.
   *
   * @param catalogs the task catalog classes
   * @return the test queue; close it after the test
   */
  @SafeVarargs
  public static SpindleTestQueue of(Class<? extends TaskCatalog>... catalogs) {
    TaskRegistry.Builder b = TaskRegistry.builder();
    for (Class<? extends TaskCatalog> c : catalogs) {
      b.addCatalog(c);
    }
    return of(b.build());
  }

  /**
   * A builder.
   *
   * @return a builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The queue client: give it to the code under test.
   *
   * @return the client, on {@link #store()} and {@link #clock()}
   */
  public JobQueue queue() {
    return queue;
  }

  /**
   * The in-memory store under the queue.
   *
   * @return the store
   */
  public InMemoryJobStore store() {
    return store;
  }

  /**
   * The clock of the queue and the store; it moves only by {@link #advance}, {@link #drain} or
   * {@link #advanceTo}.
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }

  /**
   * The current time.
   *
   * @return the instant on {@link #clock()}
   */
  public Instant now() {
    return clock.instant();
  }

  /**
   * The tasks the test queue runs.
   *
   * @return the registry
   */
  public TaskRegistry registry() {
    return registry;
  }

  // ---- assertions ----------------------------------------------------------------------------

  /**
   * Asserts that at least one job of {@code task} with these arguments is enqueued. Arguments are
   * compared as JSON, exactly as they are stored (so a field that does not serialize shows up).
   *
   * @param <I> the task's input type
   * @param task the task
   * @param args its expected arguments
   * @throws AssertionError listing every enqueued job if there is none
   */
  public <I> void assertEnqueued(Task<I, ?> task, I args) {
    assertEnqueued(task, args, JobMatch.any());
  }

  /**
   * Asserts that jobs of {@code task} with these arguments are enqueued as {@code match} says (queue,
   * delay, count).
   *
   * @param <I> the task's input type
   * @param task the task
   * @param args its expected arguments
   * @param match the queue, delay and count expected
   * @throws AssertionError listing every enqueued job if the matching ones do not satisfy it
   */
  public <I> void assertEnqueued(Task<I, ?> task, I args, JobMatch match) {
    Objects.requireNonNull(match, "match");
    JsonNode expected = argsTree(task, args);
    int found = count(task, expected, match);
    if (!match.countMatches(found)) {
      throw new AssertionError("expected " + match.describeCount() + " of task '" + task.name() + "' with args "
          + expected + match.describeConditions() + " to be enqueued, but found " + found + ".\n" + describeEnqueued());
    }
  }

  /**
   * Asserts that at least one job of {@code task} is enqueued, whatever its arguments.
   *
   * @param task the task
   * @throws AssertionError listing every enqueued job if there is none
   */
  public void assertEnqueued(Task<?, ?> task) {
    int found = count(task, null, JobMatch.any());
    if (found == 0) {
      throw new AssertionError("expected a job of task '" + task.name() + "' to be enqueued, but found none.\n"
          + describeEnqueued());
    }
  }

  /**
   * Asserts that no job of {@code task} is enqueued.
   *
   * @param task the task
   * @throws AssertionError listing every enqueued job if there is one
   */
  public void refuteEnqueued(Task<?, ?> task) {
    int found = count(task, null, JobMatch.any());
    if (found > 0) {
      throw new AssertionError("expected no job of task '" + task.name() + "' to be enqueued, but found " + found
          + ".\n" + describeEnqueued());
    }
  }

  /**
   * Asserts that no job of {@code task} with these arguments is enqueued.
   *
   * @param <I> the task's input type
   * @param task the task
   * @param args the arguments
   * @throws AssertionError listing every enqueued job if there is one
   */
  public <I> void refuteEnqueued(Task<I, ?> task, I args) {
    JsonNode expected = argsTree(task, args);
    int found = count(task, expected, JobMatch.any());
    if (found > 0) {
      throw new AssertionError("expected no job of task '" + task.name() + "' with args " + expected
          + " to be enqueued, but found " + found + ".\n" + describeEnqueued());
    }
  }

  private int count(Task<?, ?> task, @Nullable JsonNode args, JobMatch match) {
    int n = 0;
    for (JobInfo j : enqueued()) {
      if (j.task().equals(task.name()) && match.matches(j) && (args == null || args.equals(tree(j.argsJson())))) {
        n++;
      }
    }
    return n;
  }

  private JsonNode argsTree(Task<?, ?> task, @Nullable Object args) {
    return tree(worker.writeJson(args, "arguments of task '" + task.name() + "'"));
  }

  private JsonNode tree(String json) {
    return codec.mapper().readTree(json);
  }

  /** Every enqueued job, one a line, for assertion messages. */
  private String describeEnqueued() {
    List<JobInfo> jobs = enqueued();
    if (jobs.isEmpty()) {
      return "Nothing is enqueued.";
    }
    StringBuilder b = new StringBuilder("Enqueued (" + jobs.size() + "):");
    for (JobInfo j : jobs) {
      b.append("\n  ").append(j.task()).append(' ').append(j.argsJson()).append(" queue=").append(j.queue())
          .append(" state=").append(j.state()).append(" delay=").append(Duration.between(j.createdAt(), j.runAt()))
          .append(" runAt=").append(j.runAt());
    }
    return b.toString();
  }

  // ---- queries -------------------------------------------------------------------------------

  /**
   * Every job in the store.
   *
   * @return the jobs, oldest first
   */
  public List<JobInfo> jobs() {
    List<JobInfo> all = new ArrayList<>(store.listJobs(JobFilter.all().withLimit(LIST_LIMIT)));
    Collections.reverse(all);
    return all;
  }

  /**
   * Every job of {@code task}, in any state.
   *
   * @param task the task
   * @return its jobs, oldest first
   */
  public List<JobInfo> jobs(Task<?, ?> task) {
    return jobs().stream().filter(j -> j.task().equals(task.name())).toList();
  }

  /**
   * Every enqueued job (QUEUED, SCHEDULED or WAITING).
   *
   * @return the jobs, oldest first
   */
  public List<JobInfo> enqueued() {
    return jobs().stream().filter(j -> PENDING.contains(j.state())).toList();
  }

  /**
   * A job as the store holds it now.
   *
   * @param jobId the job's id
   * @return the job
   * @throws JobNotFoundException if there is no such job
   */
  public JobInfo job(String jobId) {
    return store.find(jobId).orElseThrow(() -> new JobNotFoundException(jobId));
  }

  /**
   * The result of a job of {@code task}, read from its stored JSON as the task's output type.
   *
   * @param <O> the task's output type
   * @param jobId the job's id
   * @param task the job's task
   * @return the result
   * @throws AssertionError if the job did not succeed (saying its state and error)
   * @throws JobNotFoundException if there is no such job
   */
  public <O> O result(String jobId, Task<?, O> task) {
    JobInfo j = job(jobId);
    String json = j.resultJson();
    if (j.state() != JobState.SUCCEEDED || json == null) {
      throw new AssertionError("job " + jobId + " (task '" + j.task() + "') is " + j.state()
          + j.error().map(e -> ": " + e.summary()).orElse("") + ", not SUCCEEDED");
    }
    return codec.fromJson(json, task.outputType(), "result of job " + jobId);
  }

  // ---- running -------------------------------------------------------------------------------

  /**
   * Runs every job due now, on this thread, including those that running them makes due at this
   * same instant (a workflow's next step, a job enqueued without delay); fires recurring schedules
   * whose tick is now. The clock does not move.
   *
   * @return the jobs run, in order, as the store holds them afterwards
   * @throws IllegalStateException if more than {@link Builder#maxJobs} jobs ran (a job that keeps
   *     enqueueing itself), naming the task that ran most
   */
  public List<JobInfo> runDue() {
    Run run = new Run("runDue()");
    runDue(run);
    return run.finished();
  }

  /**
   * Runs jobs until none is enqueued: every job due now, then, moving the clock to each later run
   * time in turn (delays, retries' backoff), those due then. Recurring schedules whose ticks the
   * clock passes fire on the way, but drain does not move the clock just for a schedule.
   *
   * @return the jobs run, in order, as the store holds them afterwards
   * @throws IllegalStateException if more than {@link Builder#maxJobs} jobs ran (a job that keeps
   *     enqueueing itself), naming the task that ran most
   */
  public List<JobInfo> drain() {
    Run run = new Run("drain()");
    runDue(run);
    for (Optional<Instant> next = nextJobTime(); next.isPresent(); next = nextJobTime()) {
      stepTo(next.get(), run);
    }
    return run.finished();
  }

  /**
   * Moves the clock forward by {@code duration}, stopping at every instant on the way at which a job
   * or a schedule's tick falls due to run what is due then, as a worker running all along would:
   * delayed jobs run at their time, retries after their backoff, and a recurring schedule fires
   * once per tick (an hourly schedule 24 times in a day).
   *
   * @param duration how far to move the clock
   * @return the jobs run, in order, as the store holds them afterwards
   * @throws IllegalArgumentException if {@code duration} is negative
   * @throws IllegalStateException if more than {@link Builder#maxJobs} jobs ran or the clock had to
   *     stop at more than {@link Builder#maxSteps} instants
   */
  public List<JobInfo> advance(Duration duration) {
    if (Objects.requireNonNull(duration, "duration").isNegative()) {
      throw new IllegalArgumentException("time does not go back: advance(" + duration + ")");
    }
    return advanceTo(now().plus(duration));
  }

  /**
   * {@link #advance} to an instant.
   *
   * @param target where the clock ends
   * @return the jobs run, in order, as the store holds them afterwards
   * @throws IllegalArgumentException if {@code target} is before {@link #now()}
   */
  public List<JobInfo> advanceTo(Instant target) {
    if (target.isBefore(now())) {
      throw new IllegalArgumentException("time does not go back: advanceTo(" + target + ") at " + now());
    }
    Run run = new Run("advance to " + target);
    runDue(run);
    stepTo(target, run);
    return run.finished();
  }

  /**
   * Runs {@code task}'s code once, now, on this thread, with the same JSON round trip as a worker:
   * {@code args} are written as JSON and read back as the task's input type, the result likewise as
   * its output type, so a type that does not survive serialization fails here as it would in
   * production. Nothing is enqueued.
   *
   * @param <I> the task's input type
   * @param <O> the task's output type
   * @param task the task
   * @param args its arguments
   * @return the result, as read back from its JSON
   * @throws dev.spindle.PayloadException if the arguments or the result do not round-trip
   * @throws Exception whatever the task throws
   */
  @SuppressWarnings("unchecked")
  public <I, O> O perform(Task<I, O> task, I args) throws Exception {
    String in = "arguments of task '" + task.name() + "'";
    I input = (I) worker.readInput(task, worker.writeJson(args, in), in);
    O out = task.run(input, new InlineWorker.InlineContext(task.name(), "perform-" + ++performs, 1, null));
    String what = "result of task '" + task.name() + "'";
    return codec.fromJson(worker.writeJson(out, what), task.outputType(), what);
  }

  /** Runs what is due now until nothing is, within the run's bound. */
  private void runDue(Run run) {
    while (true) {
      worker.fireDueSchedules();
      Optional<JobInfo> job = worker.runOne();
      if (job.isEmpty()) {
        return;
      }
      run.ran(job.get());
    }
  }

  /** Moves the clock to {@code target}, stopping at each job's run time and schedule tick on the way. */
  private void stepTo(Instant target, Run run) {
    while (true) {
      Instant next = target;
      Optional<Instant> job = nextJobTime();
      if (job.isPresent() && job.get().isBefore(next)) {
        next = job.get();
      }
      Optional<Instant> tick = worker.nextScheduleTick();
      if (tick.isPresent() && tick.get().isBefore(next)) {
        next = tick.get();
      }
      if (next.isAfter(now())) {
        clock.set(next);
      }
      run.step();
      runDue(run);
      if (!next.isBefore(target)) {
        return;
      }
    }
  }

  /** The earliest run time after now of a delayed or backing-off job, if there is one. */
  private Optional<Instant> nextJobTime() {
    Instant now = now();
    return store.listJobs(JobFilter.all().withState(JobState.SCHEDULED).withLimit(LIST_LIMIT)).stream()
        .map(JobInfo::runAt).filter(t -> t.isAfter(now)).min(Instant::compareTo);
  }

  /**
   * Removes every job, enqueued or finished, so the next test starts from an empty queue; the clock
   * and the recurring schedules stay as they are. For a queue shared by several tests (a Spring
   * application context is; {@code dev.spindle.test.spring} resets it after each test).
   */
  public void reset() {
    for (JobInfo j : enqueued()) {
      queue.cancel(j.id());
    }
    Set<JobState> finished = EnumSet.of(JobState.SUCCEEDED, JobState.FAILED, JobState.DEAD, JobState.CANCELLED);
    store.purge(JobFilter.all().withStates(finished).withLimit(LIST_LIMIT));
  }

  /** Closes the client and the store. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      queue.close();
      store.close();
    }
  }

  @Override
  public String toString() {
    return "SpindleTestQueue[now=" + now() + ", tasks=" + registry.names() + "]";
  }

  /** The jobs one call ran, and its bounds. */
  private final class Run {
    private final String what;
    private final List<String> ids = new ArrayList<>();
    private final Map<String, Integer> perTask = new LinkedHashMap<>();
    private int steps;

    Run(String what) {
      this.what = what;
    }

    void ran(JobInfo job) {
      ids.add(job.id());
      perTask.merge(job.task(), 1, Integer::sum);
      if (ids.size() > maxJobs) {
        Map.Entry<String, Integer> most = perTask.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        throw new IllegalStateException(what + " ran " + ids.size() + " jobs, more than maxJobs (" + maxJobs
            + "), and jobs are still due: task '" + most.getKey() + "' ran " + most.getValue() + " times. A job that"
            + " enqueues another of itself each time it runs never drains; run it step by step with runDue() or"
            + " advance(), or raise SpindleTestQueue.Builder.maxJobs. Last job run: " + job.id() + " "
            + job.task() + " " + job.argsJson());
      }
    }

    void step() {
      if (++steps > maxSteps) {
        throw new IllegalStateException(what + " stopped the clock at more than maxSteps (" + maxSteps
            + ") instants, one per due job or schedule tick (a schedule firing very often?); advance by less or"
            + " raise SpindleTestQueue.Builder.maxSteps. Now " + now() + "; schedules: "
            + store.schedules().stream().map(s -> s.name()).toList());
      }
    }

    List<JobInfo> finished() {
      return ids.stream().map(SpindleTestQueue.this::job).toList();
    }
  }

  /** Settings of a test queue, validated as they are given. Not thread-safe. */
  public static final class Builder {
    private TaskRegistry registry = TaskRegistry.empty();
    private Instant start = DEFAULT_START;
    private JsonCodec codec = JsonCodec.defaults();
    private JobOptions defaults = JobOptions.defaults();
    private int maxJobs = DEFAULT_MAX_JOBS;
    private int maxSteps = DEFAULT_MAX_STEPS;

    private Builder() {}

    /**
     * The tasks the queue accepts at enqueue and runs.
     *
     * @param registry the tasks
     * @return this builder
     */
    public Builder registry(TaskRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Where the clock starts.
     *
     * @param start the first instant
     * @return this builder
     */
    public Builder start(Instant start) {
      this.start = Objects.requireNonNull(start, "start");
      return this;
    }

    /**
     * The payload codec (as the application's queue uses).
     *
     * @param codec the codec
     * @return this builder
     */
    public Builder codec(JsonCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Options of the queue's enqueue methods without an options argument.
     *
     * @param defaults the options
     * @return this builder
     */
    public Builder defaults(JobOptions defaults) {
      this.defaults = Objects.requireNonNull(defaults, "defaults");
      return this;
    }

    /**
     * The most jobs one {@code runDue}, {@code drain} or {@code advance} call runs before it stops with
     * an error (a job that keeps enqueueing itself).
     *
     * @param maxJobs the bound
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxJobs(int maxJobs) {
      if (maxJobs < 1) {
        throw new IllegalArgumentException("maxJobs must be >= 1: " + maxJobs);
      }
      this.maxJobs = maxJobs;
      return this;
    }

    /**
     * The most instants one {@code drain} or {@code advance} call stops the clock at (each due job's
     * run time and each schedule tick on the way) before it stops with an error.
     *
     * @param maxSteps the bound
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxSteps(int maxSteps) {
      if (maxSteps < 1) {
        throw new IllegalArgumentException("maxSteps must be >= 1: " + maxSteps);
      }
      this.maxSteps = maxSteps;
      return this;
    }

    /**
     * The test queue.
     *
     * @return the test queue; close it after the test
     */
    public SpindleTestQueue build() {
      return new SpindleTestQueue(this);
    }
  }
}
