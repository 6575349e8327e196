package dev.spindle.queue;

import dev.spindle.PayloadException;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.UnknownTaskException;
import dev.spindle.queue.internal.ClientCore;
import dev.spindle.queue.internal.DefaultJobHandle;
import dev.spindle.queue.internal.Listeners;
import dev.spindle.queue.internal.Payloads;
import dev.spindle.queue.internal.Sealing;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JdbcEnqueue;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.spi.JsonCodec;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * The producer side of a durable queue, and the entry point: enqueue jobs (typed, or by task name
 * with JSON arguments from any process), follow them with {@link JobHandle}s, manage recurring
 * schedules, and build {@link Worker}s on the same store. Thread-safe; share one per store.
 *
 * <pre>{@code
 * try (StoreBackend store = JobStores.open("sqlite:spindle-data/spindle.db");
 *      JobQueue queue = JobQueue.builder(store).registry(TaskRegistry.of(PrimeTasks.class)).build()) {
 *   JobHandle<Boolean> h = queue.enqueue(IS_PRIME, 5_000_111_000_222_021L);
 *   boolean prime = h.result(Duration.ofMinutes(1));
 * }
 * }</pre>
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link Builder#registry}</td><td>empty: any task name is accepted (workers dead-letter unknown ones);
 *     with tasks, unknown names and arguments that do not fit the task's input are refused at enqueue</td></tr>
 *   <tr><td>{@link Builder#codec}</td><td>{@link JsonCodec#defaults()}: payloads up to 1 MiB</td></tr>
 *   <tr><td>{@link Builder#defaults}</td><td>{@link JobOptions#defaults()}</td></tr>
 *   <tr><td>{@link Builder#clock}</td><td>{@link Clock#systemUTC()}</td></tr>
 *   <tr><td>{@link Builder#encryption}</td><td>none: arguments and results stored in clear</td></tr>
 * </table>
 *
 * <p>Closing the queue stops its result watcher; it does not close the store.
 */
public final class JobQueue implements AutoCloseable {
  /** The default of {@link Builder#maxWorkflowSize}. */
  public static final int DEFAULT_MAX_WORKFLOW_SIZE = 100_000;

  private final JobStore store;
  /** Flow limits this client has stored (defined once per client; run-time changes win). */
  private final java.util.Set<String> definedLimits = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final TaskRegistry registry;
  private final JsonCodec codec;
  private final Clock clock;
  private final JobOptions defaults;
  private final Listeners listeners;
  private final ClientCore core;
  private final int maxWorkflowSize;
  private final DurableRules durableRules;
  private final @org.jspecify.annotations.Nullable KeyRing keyRing;

  private JobQueue(Builder b) {
    this.keyRing = b.keyRing;
    this.store = b.store;
    this.registry = b.registry;
    this.codec = b.codec;
    this.clock = b.clock;
    this.defaults = b.defaults;
    this.listeners = Listeners.of(b.listeners, b.observer);
    this.core = new ClientCore(store, codec, clock, listeners, b.name, b.keyRing);
    this.maxWorkflowSize = b.maxWorkflowSize;
    this.durableRules = b.durableRules;
  }

  /** A builder for a queue client on {@code store}. */
  public static Builder builder(JobStore store) {
    return new Builder(store);
  }

  /** The store. */
  public JobStore store() {
    return store;
  }

  /** The clock stamping enqueues. */
  public Clock clock() {
    return clock;
  }

  /** The payload codec. */
  public JsonCodec codec() {
    return codec;
  }

  /** The default job options. */
  public JobOptions defaults() {
    return defaults;
  }

  /** The task allow-list checked at enqueue (empty: none). */
  public TaskRegistry registry() {
    return registry;
  }

  /** {@link #enqueue(Task, Object, JobOptions)} with the default options. */
  public <I, O> JobHandle<O> enqueue(Task<I, O> task, I input) {
    return enqueue(task, input, defaults);
  }

  /**
   * Enqueues one job of a typed task.
   *
   * @throws UnknownTaskException if the queue has a registry without this task
   * @throws PayloadException if the input cannot be serialized or is over the size limit
   * @throws StoreException if the store refuses (nothing was added)
   */
  public <I, O> JobHandle<O> enqueue(Task<I, O> task, I input, JobOptions options) {
    return enqueueAll(task, Collections.singletonList(input), options).get(0);
  }

  /**
   * Enqueues one job per input, atomically (all or none), in one store round trip.
   *
   * @throws UnknownTaskException if the queue has a registry without this task
   * @throws PayloadException if an input cannot be serialized (nothing is added)
   */
  public <I, O> List<JobHandle<O>> enqueueAll(Task<I, O> task, Collection<? extends I> inputs, JobOptions options) {
    Instant now = clock.instant();
    List<NewJob> jobs = typedJobs(task, inputs, options, now);
    return typedHandles(task, jobs, store.enqueue(jobs), now);
  }

  /** {@link #enqueueAsync(Task, Object, JobOptions)} with the default options. */
  public <I, O> CompletableFuture<JobHandle<O>> enqueueAsync(Task<I, O> task, I input) {
    return enqueueAsync(task, input, defaults);
  }

  /**
   * Enqueues one job of a typed task without waiting for the store: the future completes with the
   * job's handle once the store holds the job, or exceptionally with a {@link StoreException} if the
   * store refuses (nothing was added). The task and the input are checked and serialized on the
   * calling thread first, so their errors are thrown here and nothing is sent.
   *
   * <p>On Redis, enqueues in flight at the same time share script calls: sixteen in flight from
   * one thread, or from a reactive web application's requests, share one round trip. Other stores
   * enqueue on a virtual thread ({@link JobStore#enqueueAsync}). The first job with a flow limit
   * this queue has not used yet stores the limit first, also on a virtual thread.
   *
   * <p>The future may complete on the store client's I/O thread: stages that depend on it must not
   * block (run blocking work with {@code thenApplyAsync(fn, executor)}).
   *
   * @throws UnknownTaskException if the queue has a registry without this task
   * @throws PayloadException if the input cannot be serialized or is over the size limit
   */
  public <I, O> CompletableFuture<JobHandle<O>> enqueueAsync(Task<I, O> task, I input, JobOptions options) {
    if (flowLimitToDefine(options)) {
      return inVirtualThread(() -> enqueue(task, input, options));
    }
    Instant now = clock.instant();
    List<NewJob> jobs = typedJobs(task, Collections.singletonList(input), options, now);
    return store.enqueueAsync(jobs).thenApply(results -> typedHandles(task, jobs, results, now).get(0));
  }

  /** The stored form of typed jobs, checked and serialized (and sealed if the queue encrypts). */
  private <I, O> List<NewJob> typedJobs(Task<I, O> task, Collection<? extends I> inputs, JobOptions options,
      Instant now) {
    Objects.requireNonNull(options, "options");
    checkKnown(task.name());
    if (!registry.names().isEmpty() && !registry.contains(task)) {
      throw new IllegalArgumentException("task '" + task.name() + "' is not the instance registered under that name");
    }
    List<NewJob> jobs = new ArrayList<>(inputs.size());
    for (I input : inputs) {
      String json = Payloads.toJson(codec, input, "input of task '" + task.name() + "'");
      jobs.add(newJob(task.name(), json, options, now));
    }
    return Sealing.sealArgs(keyRing, jobs);
  }

  /** Handles on the typed jobs the store added (or found by unique key), their events emitted. */
  private <I, O> List<JobHandle<O>> typedHandles(Task<I, O> task, List<NewJob> jobs, List<EnqueueResult> results,
      Instant now) {
    return handles(jobs, results, now, (i, r) -> new DefaultJobHandle<>(core, r.jobId(), task.name(),
        task.outputType(), r.created()));
  }

  /** One handle per result, made by {@code handle} from its index and result, each job's ENQUEUED event emitted. */
  private <H> List<H> handles(List<NewJob> jobs, List<EnqueueResult> results, Instant now,
      BiFunction<Integer, EnqueueResult, H> handle) {
    List<H> handles = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      EnqueueResult r = results.get(i);
      handles.add(handle.apply(i, r));
      emitEnqueued(r, jobs.get(i), now);
    }
    return handles;
  }

  /**
   * Enqueues a job by task name with JSON arguments, as any process can (the CLI, another service).
   *
   * @throws UnknownTaskException if the queue has a registry and the name is not in it
   * @throws PayloadException if the arguments are not valid JSON, do not fit the registered task's
   *     input type exactly (a fraction for an integer, {@code null} for a number), or are over the
   *     size limit
   */
  public JobHandle<JsonNode> enqueue(String taskName, String argsJson, JobOptions options) {
    return enqueueAll(List.of(new JobRequest(taskName, argsJson, options))).get(0);
  }

  /** {@link #enqueue(String, String, JobOptions)} with the default options. */
  public JobHandle<JsonNode> enqueue(String taskName, String argsJson) {
    return enqueue(taskName, argsJson, defaults);
  }

  /**
   * {@link #enqueue(String, String, JobOptions)} without waiting for the store, as {@link
   * #enqueueAsync(Task, Object, JobOptions)} describes: the checks of the name and the arguments
   * throw here, a store failure completes the future exceptionally.
   *
   * @throws UnknownTaskException if the queue has a registry and the name is not in it
   * @throws PayloadException if the arguments are not valid JSON, do not fit the registered task's
   *     input type, or are over the size limit
   */
  public CompletableFuture<JobHandle<JsonNode>> enqueueAsync(String taskName, String argsJson, JobOptions options) {
    if (flowLimitToDefine(options)) {
      return inVirtualThread(() -> enqueue(taskName, argsJson, options));
    }
    Instant now = clock.instant();
    List<JobRequest> requests = List.of(new JobRequest(taskName, argsJson, options));
    List<NewJob> jobs = checkedJobs(requests, now);
    return store.enqueueAsync(jobs).thenApply(results -> namedHandles(requests, jobs, results, now).get(0));
  }

  /** True if {@code options} name a flow limit this queue has not stored yet (which waits for the store). */
  private boolean flowLimitToDefine(JobOptions options) {
    FlowLimit flow = Objects.requireNonNull(options, "options").flow();
    return flow != null && !definedLimits.contains(flow.name());
  }

  /** Runs {@code enqueue} on a new virtual thread, completing the future with its outcome. */
  private static <H> CompletableFuture<H> inVirtualThread(Supplier<H> enqueue) {
    return CompletableFuture.supplyAsync(enqueue, r -> Thread.ofVirtual().name("spindle-enqueue").start(r));
  }

  /**
   * Enqueues jobs by task name, atomically, in one store round trip; each is checked as in
   * {@link #enqueue(String, String, JobOptions)} before anything is added.
   */
  public List<JobHandle<JsonNode>> enqueueAll(List<JobRequest> requests) {
    return enqueueChecked(requests, store::enqueue);
  }

  /**
   * Enqueues jobs by task name inside the caller's open JDBC transaction, on its connection: they
   * exist if and only if that transaction commits (a rollback leaves no job), and workers see them
   * once it has. Each request is checked as in {@link #enqueue(String, String, JobOptions)} first.
   * The connection is neither committed, rolled back nor closed.
   *
   * @param connection a connection to the store's own database, with auto-commit off
   * @throws UnsupportedOperationException if the store does not live in a SQL database the
   *     application can write to (only PostgreSQL does; see {@link JobStore#jdbcEnqueue()})
   * @throws IllegalStateException if the connection is in auto-commit mode
   * @throws StoreException if the write fails (roll the transaction back)
   */
  public List<JobHandle<JsonNode>> enqueueAll(Connection connection, List<JobRequest> requests) {
    Objects.requireNonNull(connection, "connection");
    JdbcEnqueue jdbc = store.jdbcEnqueue().orElseThrow(() -> new UnsupportedOperationException(
        "the store " + store.describe() + " cannot enqueue inside an application's JDBC transaction (only a"
            + " store in the application's own SQL database can, such as PostgreSQL)"));
    return enqueueChecked(requests, jobs -> jdbc.enqueue(connection, jobs));
  }

  private List<JobHandle<JsonNode>> enqueueChecked(List<JobRequest> requests,
      Function<List<NewJob>, List<EnqueueResult>> write) {
    Instant now = clock.instant();
    List<NewJob> jobs = checkedJobs(requests, now);
    return namedHandles(requests, jobs, write.apply(jobs), now);
  }

  /** The stored form of jobs requested by name, each checked against the registry (and sealed). */
  private List<NewJob> checkedJobs(List<JobRequest> requests, Instant now) {
    List<NewJob> jobs = new ArrayList<>(requests.size());
    JobRequest checked = null;
    for (JobRequest r : requests) {
      // a batch of identical requests (spindle enqueue --count N) is checked once
      if (checked == null || !r.taskName().equals(checked.taskName()) || !r.argsJson().equals(checked.argsJson())) {
        checkKnown(r.taskName());
        String what = "arguments of task '" + r.taskName() + "'";
        Optional<Task<?, ?>> task = registry.find(r.taskName());
        if (task.isPresent()) {
          Payloads.checkStrictly(codec, r.argsJson(), task.get().inputType(), what);
        } else {
          Payloads.fromJson(codec, r.argsJson(), JsonNode.class, what);
        }
        checked = r;
      }
      jobs.add(newJob(r.taskName(), r.argsJson(), r.options(), now));
    }
    return Sealing.sealArgs(keyRing, jobs);
  }

  /** Handles on the jobs requested by name that the store added (or found), their events emitted. */
  private List<JobHandle<JsonNode>> namedHandles(List<JobRequest> requests, List<NewJob> jobs,
      List<EnqueueResult> results, Instant now) {
    return handles(jobs, results, now, (i, r) -> new DefaultJobHandle<>(core, r.jobId(), requests.get(i).taskName(),
        JsonNode.class, r.created()));
  }

  /**
   * Submits a workflow: every job of it is added in one atomic store call (all or none), the ones
   * with dependencies WAITING until those end. Each task is checked against the registry and each
   * own input serialized first, so a bad node adds nothing.
   *
   * @throws IllegalArgumentException if the workflow has more jobs than {@link Builder#maxWorkflowSize}
   * @throws UnknownTaskException if the queue has a registry without one of its tasks
   * @throws PayloadException if an input cannot be serialized or is over the size limit
   * @throws StoreException if the store refuses (nothing was added)
   */
  public WorkflowHandle submit(Workflow workflow) {
    List<Workflow.Node> nodes = workflow.nodes();
    Instant now = clock.instant();
    List<NewJob> jobs = new ArrayList<>(WorkflowJobs.of(workflow, registry, codec, defaults, now,
        maxWorkflowSize));
    jobs.replaceAll(j -> j.withTraceContext(listeners.captureContext(j.queue(), j.task())));
    List<EnqueueResult> results = store.enqueue(Sealing.sealArgs(keyRing, jobs));
    List<JobHandle<JsonNode>> handles = new ArrayList<>(results.size());
    java.util.Map<String, JobHandle<JsonNode>> named = new java.util.LinkedHashMap<>();
    for (int i = 0; i < results.size(); i++) {
      EnqueueResult r = results.get(i);
      JobHandle<JsonNode> h = new DefaultJobHandle<>(core, r.jobId(), nodes.get(i).task().name(), JsonNode.class,
          r.created());
      handles.add(h);
      if (nodes.get(i).name() != null) {
        named.put(nodes.get(i).name(), h);
      }
      emitEnqueued(r, jobs.get(i), now);
    }
    List<JobHandle<JsonNode>> last = new ArrayList<>();
    workflow.exits().forEach(x -> last.add(handles.get(x)));
    return new WorkflowHandle(handles, named, last);
  }

  private NewJob newJob(String task, String json, JobOptions o, Instant now) {
    NewJob n = new NewJob(task, json, o.queue(), o.priority(), o.effectiveRunAt(now), o.uniqueKey(), o.policy(), now,
        listeners.captureContext(o.queue(), task));
    FlowLimit flow = o.flow();
    if (flow == null) {
      return n;
    }
    if (definedLimits.add(flow.name())) {
      store.flow().orElseThrow(() -> new IllegalArgumentException("the flow limit '" + flow.name()
          + "' cannot be used: the store " + store.describe() + " enforces no flow limits")).defineLimit(flow);
    }
    String key;
    try {
      key = flow.keyFor(o.queue(), task, json);
    } catch (IllegalArgumentException e) {
      key = dev.spindle.queue.spi.FlowControl.badKey(e.getMessage());
    }
    return n.withFlowKey(key);
  }

  private void checkKnown(String taskName) {
    if (!registry.names().isEmpty()) {
      registry.require(taskName);
    }
  }

  private void emitEnqueued(EnqueueResult r, NewJob n, Instant now) {
    if (r.created()) {
      listeners.enqueued(n.queue(), n.task());
    }
    if (listeners.active()) {
      listeners.emit(new JobEvent(JobEvent.Type.ENQUEUED, r.jobId(), n.task(), n.queue(), 0, r.state(), now, null,
          null, r.created() ? null : "existing"));
    }
  }

  /** A handle on an existing job whose result is read as JSON. */
  public JobHandle<JsonNode> job(String jobId) {
    JobInfo info = store.find(jobId).orElseThrow(() -> new JobNotFoundException(jobId));
    return new DefaultJobHandle<>(core, jobId, info.task(), JsonNode.class, true);
  }

  /** A handle on an existing job of a typed task. */
  public <O> JobHandle<O> job(String jobId, Task<?, O> task) {
    return new DefaultJobHandle<>(core, jobId, task.name(), task.outputType(), true);
  }

  /**
   * Sends the signal {@code name} with {@code payload} (as JSON) to the job {@code jobId}, for its
   * {@link DurableContext#awaitSignal}: kept whether or not the job waits now (in order, per name), and
   * a job suspended on that name is woken at once. Nothing is stored for an unknown or finished job or
   * one holding {@link DurableRules#maxPendingSignals()} untaken signals; the answer says which.
   *
   * @throws IllegalArgumentException if the name is invalid or the payload is over {@link
   *     DurableRules#maxSignalBytes()} (nothing stored)
   * @throws UnsupportedOperationException if the store has no durable execution (names the store)
   */
  public dev.spindle.queue.spi.SignalResult signal(String jobId, String name,
      @org.jspecify.annotations.Nullable Object payload) {
    return signal(dev.spindle.queue.spi.JobRef.id(Objects.requireNonNull(jobId, "jobId")), name, payload);
  }

  /**
   * {@link #signal(String, String, Object)} to the job holding the unique key {@code uniqueKey}
   * ({@link JobOptions.Builder#uniqueKey}).
   */
  public dev.spindle.queue.spi.SignalResult signalByUniqueKey(String uniqueKey, String name,
      @org.jspecify.annotations.Nullable Object payload) {
    return signal(dev.spindle.queue.spi.JobRef.uniqueKey(Objects.requireNonNull(uniqueKey, "uniqueKey")), name,
        payload);
  }

  private dev.spindle.queue.spi.SignalResult signal(dev.spindle.queue.spi.JobRef job, String name,
      @org.jspecify.annotations.Nullable Object payload) {
    dev.spindle.queue.spi.DurableStore durable = store.durable().orElseThrow(() -> new UnsupportedOperationException(
        "the job store " + store.describe() + " has no durable execution: signals cannot be sent"));
    String json = dev.spindle.queue.internal.Payloads.toJson(codec, payload, "payload of signal '" + name + "'");
    return durable.signal(job, name, json, durableRules, clock.instant());
  }

  /**
   * Cancels a job (see {@link JobHandle#cancel()}).
   *
   * @throws JobNotFoundException if there is no such job
   */
  public boolean cancel(String jobId) {
    return new DefaultJobHandle<>(core, jobId, "?", JsonNode.class, true).cancel();
  }

  /**
   * Adds a recurring schedule, or replaces the one with the same name if its definition differs
   * (an identical one is left as it is, so every instance of an application may add its schedules
   * at start). Its first tick is the first one after now.
   *
   * @throws UnknownTaskException if the queue has a registry without the schedule's task
   */
  public ScheduleInfo addSchedule(Schedule schedule) {
    checkKnown(schedule.task());
    Instant now = clock.instant();
    ScheduleRecord r = store.saveSchedule(new ScheduleRecord(schedule.name(), schedule.toJson(),
        schedule.nextTick(now), null, 0, now));
    return new ScheduleInfo(Schedule.fromJson(r.definition()), r.nextFireAt(), r.lastFireAt(), r.version());
  }

  /** Removes a schedule at runtime; jobs it already enqueued stay. False if there was none. */
  public boolean removeSchedule(String name) {
    return store.deleteSchedule(name);
  }

  /** Every stored schedule. */
  public List<ScheduleInfo> schedules() {
    return store.schedules().stream().map(r -> new ScheduleInfo(Schedule.fromJson(r.definition()), r.nextFireAt(),
        r.lastFireAt(), r.version())).toList();
  }

  /** The key ring that seals this client's arguments, or null (for {@link WorkflowResume#of}). */
  @org.jspecify.annotations.Nullable KeyRing keyRing() {
    return keyRing;
  }

  /** A worker builder on this queue's store, sharing its codec, clock, listeners and key ring. */
  public Worker.Builder worker() {
    Worker.Builder b = Worker.builder(store).codec(codec).clock(clock);
    listeners.list().forEach(b::listener);
    b.observer(listeners.observer());
    if (keyRing != null) {
      b.encryption(keyRing);
    }
    if (!registry.names().isEmpty()) {
      b.registry(registry);
    }
    return b;
  }

  /** Stops the result watcher. The store stays open. */
  @Override
  public void close() {
    core.close();
  }

  /** Validates settings as they are given. Not thread-safe. */
  public static final class Builder {
    private final JobStore store;
    private TaskRegistry registry = TaskRegistry.empty();
    private JsonCodec codec = JsonCodec.defaults();
    private Clock clock = Clock.systemUTC();
    private JobOptions defaults = JobOptions.defaults();
    private final List<JobListener> listeners = new ArrayList<>();
    private JobObserver observer = JobObserver.NONE;
    private String name = "queue";
    private int maxWorkflowSize = DEFAULT_MAX_WORKFLOW_SIZE;
    private DurableRules durableRules = DurableRules.defaults();
    private @org.jspecify.annotations.Nullable KeyRing keyRing;

    private Builder(JobStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /** The limits its signals are checked against ({@link #signal}); default {@link DurableRules#defaults()}. */
    public Builder durableRules(DurableRules rules) {
      this.durableRules = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /** Tasks checked at enqueue: unknown names and mistyped arguments are refused. */
    public Builder registry(TaskRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Encrypts the arguments of every job this client enqueues (typed, by name, workflows) under the
     * ring's primary key, bound to the task name, and decrypts results read through its handles. The
     * task name, queue, options, unique key, flow key and times stay in clear. Default: none (jobs
     * are stored in clear). See {@link KeyRing}.
     */
    public Builder encryption(KeyRing ring) {
      this.keyRing = Objects.requireNonNull(ring, "ring");
      return this;
    }

    /** The payload codec; its size limit applies to every input. */
    public Builder codec(JsonCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /** Shorthand for a codec with this payload size limit in bytes. */
    public Builder maxPayloadBytes(int maxBytes) {
      return codec(new JsonCodec(maxBytes));
    }

    /** The clock stamping enqueues and cancellations. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Options used by the methods without an options argument. */
    public Builder defaults(JobOptions defaults) {
      this.defaults = Objects.requireNonNull(defaults, "defaults");
      return this;
    }

    /**
     * The metrics and tracing hook: it gives each new job its trace context (stored in the enqueue
     * write) and counts enqueues. Default {@link JobObserver#NONE}.
     */
    public Builder observer(JobObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /** Adds a listener for ENQUEUED and CANCELLED events of this client. */
    public Builder listener(JobListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Names the client's thread.
     *
     * @throws IllegalArgumentException if blank or longer than 64 characters
     */
    public Builder name(String name) {
      if (Objects.requireNonNull(name, "name").isBlank() || name.length() > 64) {
        throw new IllegalArgumentException("name must be 1-64 characters: '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * The most jobs one {@link #submit submitted} workflow may have (default
     * {@value JobQueue#DEFAULT_MAX_WORKFLOW_SIZE}).
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxWorkflowSize(int jobs) {
      if (jobs < 1) {
        throw new IllegalArgumentException("maxWorkflowSize must be >= 1: " + jobs);
      }
      this.maxWorkflowSize = jobs;
      return this;
    }

    /** The client. */
    public JobQueue build() {
      return new JobQueue(this);
    }
  }
}
