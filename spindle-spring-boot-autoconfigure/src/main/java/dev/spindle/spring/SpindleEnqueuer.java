package dev.spindle.spring;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobRequest;
import dev.spindle.spring.internal.TransactionSupport;
import dev.spindle.spring.spi.TransactionalEnqueue;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Enqueues jobs the way a Spring application expects: with the surrounding transaction. Inside a
 * transaction (Spring transaction synchronization active) a job is, by {@link EnqueueMode}:
 * written in the transaction itself when the store is the application's own database (a
 * {@link TransactionalEnqueue} bean, e.g. the PostgreSQL store), else enqueued right after the
 * commit and never if it rolls back; outside a transaction, at once. Thread-safe.
 *
 * <p>Arguments are checked and serialized when {@code enqueue} is called, so a mistake (a task not
 * in the registry, an input that cannot be serialized or is too large) throws at once and can roll
 * the transaction back. The returned future completes with the job's handle once the job is in the
 * store and visible (at once, or after the commit), is cancelled if the transaction rolls back, and
 * fails if the store refused the jobs after the commit (then an ERROR is logged too: the
 * application's data are committed but the jobs are not; use the in-transaction mode to make that
 * impossible).
 *
 * <p>A job enqueued without explicit {@link JobOptions} gets the options its task declares (the
 * attributes of {@link SpindleTask}: queue, attempts, timeout, backoff); explicit options are used
 * as given. {@link #tasks(Class)} gives the typed client of a type's {@link SpindleTask} methods.
 *
 * <pre>{@code
 * @Transactional
 * public Order place(Order o) {
 *   orders.save(o);
 *   enqueuer.enqueue(SEND_CONFIRMATION, o.id());   // runs only if the order is committed
 *   return o;
 * }
 * }</pre>
 */
public final class SpindleEnqueuer {
  private final JobQueue queue;
  private final EnqueueMode mode;
  private final @Nullable TransactionSupport tx;
  private final SpindleTaskOptions taskOptions;

  private SpindleEnqueuer(JobQueue queue, EnqueueMode mode, @Nullable TransactionSupport tx,
      SpindleTaskOptions taskOptions) {
    this.queue = queue;
    this.mode = mode;
    this.tx = tx;
    this.taskOptions = taskOptions;
  }

  /**
   * An enqueuer on {@code queue}. Transactions are followed when spring-tx is on the class path.
   *
   * @param extensions stores able to write inside a JDBC transaction (used in mode AUTO)
   * @param dataSources the application's data sources those extensions are offered
   * @param classLoader the application's class loader, where spring-tx is looked for
   */
  public static SpindleEnqueuer create(JobQueue queue, EnqueueMode mode, List<TransactionalEnqueue> extensions,
      List<DataSource> dataSources, @Nullable ClassLoader classLoader) {
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(mode, "mode");
    TransactionSupport tx = mode == EnqueueMode.IMMEDIATE ? null
        : TransactionSupport.create(queue, mode == EnqueueMode.AUTO ? extensions : List.of(), dataSources,
            classLoader);
    return new SpindleEnqueuer(queue, mode, tx, SpindleTaskOptions.none());
  }

  /**
   * An enqueuer as {@link #create(JobQueue, EnqueueMode, List, List, ClassLoader)} whose jobs
   * enqueued without explicit options get the options their task declares.
   */
  public static SpindleEnqueuer create(JobQueue queue, EnqueueMode mode, List<TransactionalEnqueue> extensions,
      List<DataSource> dataSources, @Nullable ClassLoader classLoader, SpindleTaskOptions taskOptions) {
    SpindleEnqueuer e = create(queue, mode, extensions, dataSources, classLoader);
    return new SpindleEnqueuer(e.queue, e.mode, e.tx, Objects.requireNonNull(taskOptions, "taskOptions"));
  }

  /**
   * The typed client of the {@link SpindleTask} methods of {@code type} (a bean class or an
   * interface it implements), enqueueing through this enqueuer.
   *
   * @throws IllegalArgumentException if {@code type} declares no {@link SpindleTask} method, or is a
   *     final class (declare the methods on an interface)
   */
  public <T> SpindleTasks<T> tasks(Class<T> type) {
    return new SpindleTasks<>(type, this);
  }

  /** The options tasks declare. */
  public SpindleTaskOptions taskOptions() {
    return taskOptions;
  }

  /** The options a job of {@code taskName} gets when enqueued without explicit options. */
  public JobOptions defaultsFor(String taskName) {
    return taskOptions.apply(taskName, queue.defaults());
  }

  /** The queue it writes to. */
  public JobQueue queue() {
    return queue;
  }

  /** The mode. */
  public EnqueueMode mode() {
    return mode;
  }

  /**
   * True if a job enqueued now from this thread would be written inside the current transaction
   * (a {@link TransactionalEnqueue} covers the transaction's data source).
   */
  public boolean writesInTransaction() {
    return tx != null && tx.inTransactionWriter() != null;
  }

  /** {@link #enqueue(Task, Object, JobOptions)} with the task's options ({@link #defaultsFor}). */
  public <I, O> CompletableFuture<JobHandle<O>> enqueue(Task<I, O> task, I input) {
    return enqueue(task, input, defaultsFor(task.name()));
  }

  /**
   * Enqueues one job of a typed task, following the current transaction (see the class
   * description).
   *
   * @throws dev.spindle.UnknownTaskException if the task is not in the application's registry
   * @throws IllegalArgumentException if another task instance is registered under its name
   * @throws dev.spindle.PayloadException if the input cannot be serialized or is too large
   * @throws dev.spindle.queue.StoreException if the store refuses a job written at once
   */
  public <I, O> CompletableFuture<JobHandle<O>> enqueue(Task<I, O> task, I input, JobOptions options) {
    Objects.requireNonNull(options, "options");
    TaskRegistry registry = queue.registry();
    if (!registry.names().isEmpty()) {
      registry.require(task.name());
      if (!registry.contains(task)) {
        throw new IllegalArgumentException("task '" + task.name() + "' is not the instance registered under that name");
      }
    }
    if (tx == null || !tx.synchronizationActive()) {
      return CompletableFuture.completedFuture(queue.enqueue(task, input, options));
    }
    String json = queue.codec().toJson(input, "input of task '" + task.name() + "'");
    return tx.defer(new JobRequest(task.name(), json, options), id -> queue.job(id, task));
  }

  /** {@link #enqueue(String, Object, JobOptions)} with the task's options ({@link #defaultsFor}). */
  public CompletableFuture<JobHandle<JsonNode>> enqueue(String taskName, @Nullable Object input) {
    return enqueue(taskName, input, defaultsFor(taskName));
  }

  /**
   * Enqueues a job by task name (e.g. a {@link SpindleTask} method), serializing {@code input} to
   * JSON now (a {@link String} input becomes a JSON string; use {@link #enqueueJson} for JSON text).
   *
   * @throws dev.spindle.UnknownTaskException if the application has tasks and this is not one
   * @throws dev.spindle.PayloadException if the input cannot be serialized, does not fit the task's
   *     input type, or is too large
   */
  public CompletableFuture<JobHandle<JsonNode>> enqueue(String taskName, @Nullable Object input, JobOptions options) {
    String json = input == null ? "null"
        : queue.codec().toJson(input, "input of task '" + dev.spindle.spi.Echo.of(taskName) + "'");
    return enqueueJson(taskName, json, options);
  }

  /** {@link #enqueueJson(String, String, JobOptions)} with the task's options ({@link #defaultsFor}). */
  public CompletableFuture<JobHandle<JsonNode>> enqueueJson(String taskName, String argsJson) {
    return enqueueJson(taskName, argsJson, defaultsFor(taskName));
  }

  /**
   * Enqueues a job by task name with arguments given as JSON text.
   *
   * @throws dev.spindle.UnknownTaskException if the application has tasks and this is not one
   * @throws dev.spindle.PayloadException if the JSON is malformed, does not fit the task's input
   *     type, or is too large
   */
  public CompletableFuture<JobHandle<JsonNode>> enqueueJson(String taskName, String argsJson, JobOptions options) {
    JobRequest request = new JobRequest(taskName, argsJson, options);
    if (tx == null || !tx.synchronizationActive()) {
      return CompletableFuture.completedFuture(queue.enqueueAll(List.of(request)).get(0));
    }
    TaskRegistry registry = queue.registry();
    String what = "arguments of task '" + taskName + "'";
    if (!registry.names().isEmpty()) {
      Task<?, ?> task = registry.require(taskName);
      queue.codec().fromJson(argsJson, task.inputType(), what);
    } else {
      queue.codec().fromJson(argsJson, JsonNode.class, what);
    }
    Function<String, JobHandle<JsonNode>> handle = queue::job;
    return tx.defer(request, handle);
  }
}
