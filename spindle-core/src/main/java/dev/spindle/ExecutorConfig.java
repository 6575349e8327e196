package dev.spindle;

import dev.spindle.spi.ExecutorProvider;
import dev.spindle.spi.ModelExtension;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The immutable configuration of a {@link TaskExecutor}, produced by a validating {@link Builder}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link #workers()}</td><td>available processors; 1 for SEQUENTIAL and COROUTINE; 0 (unlimited) for VIRTUAL</td></tr>
 *   <tr><td>{@link #maxQueued()}</td><td>{@link Integer#MAX_VALUE} (unbounded backlog)</td></tr>
 *   <tr><td>{@link #registry()}</td><td>empty: in-JVM models run any task; other JVMs need a portable one</td></tr>
 *   <tr><td>{@link #name()}</td><td>the model's name in lower case; names threads and worker processes</td></tr>
 *   <tr><td>{@link #clock()}</td><td>{@link Clock#systemUTC()}</td></tr>
 * </table>
 *
 * <p>Backends add their own settings as typed extensions ({@link Builder#with(Object)}), e.g. the
 * process model's {@code ProcessOptions}; an extension for one model ({@link ModelExtension}) is
 * refused by a builder of another.
 */
public final class ExecutorConfig {
  private final ExecutionModel model;
  private final int workers;
  private final int maxQueued;
  private final TaskRegistry registry;
  private final String name;
  private final Clock clock;
  private final Map<Class<?>, Object> extensions;

  private ExecutorConfig(Builder b) {
    this.model = b.model;
    this.workers = b.workers != null ? b.workers : defaultWorkers(b.model);
    this.maxQueued = b.maxQueued;
    this.registry = b.registry;
    this.name = b.name != null ? b.name : b.model.name().toLowerCase(java.util.Locale.ROOT);
    this.clock = b.clock;
    this.extensions = Map.copyOf(b.extensions);
  }

  private static int defaultWorkers(ExecutionModel model) {
    return switch (model) {
      case SEQUENTIAL, COROUTINE -> 1;
      case VIRTUAL -> 0;
      default -> Runtime.getRuntime().availableProcessors();
    };
  }

  /** A builder for the given model. */
  public static Builder builder(ExecutionModel model) {
    return new Builder(model);
  }

  /** The execution model. */
  public ExecutionModel model() {
    return model;
  }

  /**
   * Worker count: threads, virtual worker threads (0 = one virtual thread per task, unlimited),
   * or child JVMs.
   */
  public int workers() {
    return workers;
  }

  /**
   * The most executions that may wait for a worker; a submission beyond it fails with
   * {@link RejectedSubmissionException} ({@link RejectedSubmissionException.Reason#BACKLOG_FULL}).
   */
  public int maxQueued() {
    return maxQueued;
  }

  /**
   * The task allow-list. In-JVM models (SEQUENTIAL, THREADS, VIRTUAL): when empty, any task may be
   * submitted; when not empty, only the registered {@link Task} instances, and anything else fails
   * at submission with {@link UnknownTaskException} (closures given to
   * {@link TaskExecutor#asExecutorService()} are the caller's own code and always accepted). Models
   * running tasks in other JVMs need a portable, non-empty registry.
   */
  public TaskRegistry registry() {
    return registry;
  }

  /** The executor's name, used in thread names and worker process titles. */
  public String name() {
    return name;
  }

  /** The clock for timestamps; tests inject a fixed or manual one. */
  public Clock clock() {
    return clock;
  }

  /** A backend-specific extension of the given type, if one was set. */
  public <T> Optional<T> extension(Class<T> type) {
    return Optional.ofNullable(type.cast(extensions.get(type)));
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder(model).workers(workers).maxQueued(maxQueued).registry(registry)
        .name(name).clock(clock);
    b.extensions.putAll(extensions);
    return b;
  }

  @Override
  public String toString() {
    return "ExecutorConfig{model=" + model + ", workers=" + workers + ", maxQueued="
        + (maxQueued == Integer.MAX_VALUE ? "unbounded" : maxQueued) + ", name=" + name
        + ", registry=" + registry + ", extensions=" + extensions.keySet() + "}";
  }

  /** Validates settings as they are given. Not thread-safe. */
  public static final class Builder {
    private final ExecutionModel model;
    private @Nullable Integer workers;
    private int maxQueued = Integer.MAX_VALUE;
    private TaskRegistry registry = TaskRegistry.empty();
    private @Nullable String name;
    private Clock clock = Clock.systemUTC();
    private final Map<Class<?>, Object> extensions = new LinkedHashMap<>();

    private Builder(ExecutionModel model) {
      this.model = Objects.requireNonNull(model, "model");
    }

    /**
     * Sets the worker count.
     *
     * @throws IllegalArgumentException if below 1 (or below 0 for VIRTUAL, where 0 is unlimited),
     *     or above 1 for SEQUENTIAL or COROUTINE
     */
    public Builder workers(int workers) {
      int min = model == ExecutionModel.VIRTUAL ? 0 : 1;
      if (workers < min) {
        throw new IllegalArgumentException("workers must be >= " + min + " for " + model + ": " + workers);
      }
      if (model == ExecutionModel.SEQUENTIAL && workers != 1) {
        throw new IllegalArgumentException("SEQUENTIAL runs exactly one worker, not " + workers);
      }
      if (model == ExecutionModel.COROUTINE && workers != 1) {
        throw new IllegalArgumentException("COROUTINE runs exactly one event loop, not " + workers
            + " workers; start several executors for several loops");
      }
      this.workers = workers;
      return this;
    }

    /**
     * Bounds the backlog of queued executions.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxQueued(int maxQueued) {
      if (maxQueued < 1) {
        throw new IllegalArgumentException("maxQueued must be >= 1: " + maxQueued);
      }
      this.maxQueued = maxQueued;
      return this;
    }

    /** Sets the task allow-list. */
    public Builder registry(TaskRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Names the executor (thread names, worker process titles such as {@code primes worker(0)}).
     *
     * @throws IllegalArgumentException if blank, longer than 64 characters, or not printable ASCII
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank() || name.length() > 64 || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("name must be 1-64 printable ASCII characters: '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /** Sets the clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Adds a backend extension, keyed by its class (one per class; a {@link RejectionCheck} by that
     * interface).
     *
     * @throws IllegalArgumentException if it is a {@link ModelExtension} of another model (e.g.
     *     {@code ProcessOptions} for THREADS), which would be ignored
     */
    public Builder with(Object extension) {
      Objects.requireNonNull(extension, "extension");
      if (extension instanceof ModelExtension m && m.model() != model) {
        throw new IllegalArgumentException(extension.getClass().getSimpleName() + " configure the "
            + m.model() + " model, but this executor runs " + model + "; they would be ignored: remove them"
            + " or choose " + m.model());
      }
      // a RejectionCheck is usually a lambda: keyed by the interface so that it can be found
      extensions.put(extension instanceof RejectionCheck ? RejectionCheck.class : extension.getClass(), extension);
      return this;
    }

    /** The immutable configuration. */
    public ExecutorConfig build() {
      return new ExecutorConfig(this);
    }

    /**
     * Builds the configuration and starts an executor for it.
     *
     * @throws IllegalStateException if no {@link ExecutorProvider} on the classpath supports the
     *     model (the message names the module to add)
     */
    public TaskExecutor start() {
      return Spindle.start(build());
    }
  }
}
