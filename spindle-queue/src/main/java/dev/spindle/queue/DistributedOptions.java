package dev.spindle.queue;

import dev.spindle.ExecutionModel;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.spi.ModelExtension;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings of the DISTRIBUTED execution model, given to the executor builder as an extension:
 *
 * <pre>{@code
 * try (TaskExecutor pool = Spindle.executor(ExecutionModel.DISTRIBUTED).workers(2)
 *     .with(DistributedOptions.builder().storeLocation("sqlite:jobs.db").build()).start()) {
 *   boolean prime = pool.submit(IS_PRIME, 5_000_111_000_222_021L).result();
 * }
 * }</pre>
 *
 * Each submission becomes a job in the store; its future completes from the job's result. With an
 * embedded worker (the default) the executor also consumes the queue itself with
 * {@code config.workers()} slots, so it works on its own; workers in other processes
 * ({@code spindle worker}) may consume the same queue. Immutable.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>store</td><td>opened from {@link JobStores#defaultLocation()} ({@code $SPINDLE_STORE} or
 *     {@code sqlite:spindle-data/spindle.db}) and closed with the executor</td></tr>
 *   <tr><td>{@link #jobOptions()}</td><td>queue {@code default}, no retries (a failure fails the future,
 *     as on the local models)</td></tr>
 *   <tr><td>{@link #embeddedWorker()}</td><td>true</td></tr>
 *   <tr><td>{@link #workerModel()}</td><td>THREADS</td></tr>
 * </table>
 */
public final class DistributedOptions implements ModelExtension {
  private final @Nullable JobStore store;
  private final @Nullable String storeLocation;
  private final JobOptions jobOptions;
  private final boolean embeddedWorker;
  private final ExecutionModel workerModel;
  private final JobObserver observer;

  private DistributedOptions(Builder b) {
    this.observer = b.observer;
    this.store = b.store;
    this.storeLocation = b.storeLocation;
    this.jobOptions = b.jobOptions;
    this.embeddedWorker = b.embeddedWorker;
    this.workerModel = b.workerModel;
  }

  /** The defaults. */
  public static DistributedOptions defaults() {
    return builder().build();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A store instance to use (not closed by the executor), or {@code null}. */
  public @Nullable JobStore store() {
    return store;
  }

  /** The location to open when no instance is given, or {@code null} for the default. */
  public @Nullable String storeLocation() {
    return storeLocation;
  }

  /** Options of every submitted job. */
  public JobOptions jobOptions() {
    return jobOptions;
  }

  /** Whether the executor runs a worker on the queue itself. */
  public boolean embeddedWorker() {
    return embeddedWorker;
  }

  /** The local model of the embedded worker. */
  public ExecutionModel workerModel() {
    return workerModel;
  }

  /** The metrics and tracing hook of submissions and of the embedded worker. */
  public JobObserver observer() {
    return observer;
  }

  /** Validates settings as they are given. Not thread-safe. */
  public static final class Builder {
    private @Nullable JobStore store;
    private @Nullable String storeLocation;
    private JobOptions jobOptions = JobOptions.builder().retry(RetryPolicy.none()).build();
    private boolean embeddedWorker = true;
    private ExecutionModel workerModel = ExecutionModel.THREADS;
    private JobObserver observer = JobObserver.NONE;

    private Builder() {}

    /**
     * The metrics and tracing hook: each submission stores the submitter's trace context with its
     * job, and the embedded worker reports its attempts. Default {@link JobObserver#NONE}.
     */
    public Builder observer(JobObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /** Uses this store; the caller keeps ownership and closes it. */
    public Builder store(JobStore store) {
      this.store = Objects.requireNonNull(store, "store");
      this.storeLocation = null;
      return this;
    }

    /** Opens the store at this location (see {@link JobStores#open}); the executor closes it. */
    public Builder storeLocation(String location) {
      this.storeLocation = JobStores.normalize(location);
      this.store = null;
      return this;
    }

    /** Options of every submitted job (queue, priority, retries, timeout, retention). */
    public Builder jobOptions(JobOptions options) {
      this.jobOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /** Whether the executor consumes its queue itself (default true). */
    public Builder embeddedWorker(boolean embedded) {
      this.embeddedWorker = embedded;
      return this;
    }

    /**
     * The local model of the embedded worker.
     *
     * @throws IllegalArgumentException for DISTRIBUTED
     */
    public Builder workerModel(ExecutionModel model) {
      if (Objects.requireNonNull(model, "model") == ExecutionModel.DISTRIBUTED) {
        throw new IllegalArgumentException("the embedded worker runs on a local model, not DISTRIBUTED");
      }
      this.workerModel = model;
      return this;
    }

    /** The options. */
    public DistributedOptions build() {
      return new DistributedOptions(this);
    }
  }

  /** {@link ExecutionModel#DISTRIBUTED}: a builder of another model refuses these options. */
  @Override
  public ExecutionModel model() {
    return ExecutionModel.DISTRIBUTED;
  }
}
