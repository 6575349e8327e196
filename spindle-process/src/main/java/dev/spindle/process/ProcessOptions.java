package dev.spindle.process;

import dev.spindle.ExecutionModel;
import dev.spindle.Task;
import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.RestartPolicy;
import dev.spindle.spi.JsonCodec;
import dev.spindle.spi.ModelExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Settings of the {@code PROCESSES} model, added to an executor's configuration as a typed
 * extension. Immutable and thread-safe; built with a validating {@link #builder()}.
 *
 * <pre>{@code
 * TaskExecutor pool = Spindle.executor(ExecutionModel.PROCESSES).workers(2).name("primes")
 *     .registry(TaskRegistry.of(PrimeTasks.class))
 *     .with(ProcessOptions.builder().maxTasksPerChild(1000).maxHeap("256m").build())
 *     .start();
 * }</pre>
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link #jvmOptions()}</td><td>none, plus {@code -XX:+UseSerialGC} unless a GC is chosen</td></tr>
 *   <tr><td>{@link #maxHeap()}</td><td>none (the JVM's default)</td></tr>
 *   <tr><td>{@link #maxTasksPerChild()}</td><td>0: workers are never recycled</td></tr>
 *   <tr><td>{@link #initializerTask()}</td><td>none</td></tr>
 *   <tr><td>{@link #startupTimeout()}</td><td>30 s from launch to the worker's {@code ready}</td></tr>
 *   <tr><td>{@link #stopTimeout()}</td><td>10 s for a worker to acknowledge the poison pill and exit</td></tr>
 *   <tr><td>{@link #classDataSharing()}</td><td>true: an AppCDS archive in {@link #cacheDirectory()}</td></tr>
 *   <tr><td>{@link #cacheDirectory()}</td><td>{@code $XDG_CACHE_HOME/spindle} or {@code ~/.cache/spindle}</td></tr>
 *   <tr><td>{@link #javaHome()}</td><td>this JVM's {@code java.home}</td></tr>
 *   <tr><td>{@link #classpath()}</td><td>this JVM's {@code java.class.path}</td></tr>
 *   <tr><td>{@link #maxInFlightPerWorker()}</td><td>256 frames sent ahead to one worker (adaptive below that)</td></tr>
 *   <tr><td>{@link #maxPayloadBytes()}</td><td>{@link JsonCodec#DEFAULT_MAX_BYTES} per task input or output</td></tr>
 *   <tr><td>{@link #maxFrameBytes()}</td><td>64 MiB per message (a map chunk)</td></tr>
 *   <tr><td>{@link #restartPolicy()}</td><td>backoff 100 ms to 5 s after repeated quick deaths</td></tr>
 *   <tr><td>{@link #maxStartFailures()}</td><td>5 failed starts in a row with no live worker: the pool is broken</td></tr>
 *   <tr><td>{@link #stderr()}</td><td>inherited: workers print to this JVM's standard error</td></tr>
 * </table>
 */
public final class ProcessOptions implements ModelExtension {
  private static final ProcessOptions DEFAULTS = builder().build();

  private final List<String> jvmOptions;
  private final @Nullable String maxHeap;
  private final int maxTasksPerChild;
  private final @Nullable String initializerTask;
  private final String initializerInputJson;
  private final Duration startupTimeout;
  private final Duration stopTimeout;
  private final boolean classDataSharing;
  private final Path cacheDirectory;
  private final Path javaHome;
  private final String classpath;
  private final int maxInFlightPerWorker;
  private final int maxPayloadBytes;
  private final int maxFrameBytes;
  private final RestartPolicy restartPolicy;
  private final int maxStartFailures;
  private final ProcessBuilder.Redirect stderr;

  private ProcessOptions(Builder b) {
    this.jvmOptions = List.copyOf(b.jvmOptions);
    this.maxHeap = b.maxHeap;
    this.maxTasksPerChild = b.maxTasksPerChild;
    this.initializerTask = b.initializerTask;
    this.initializerInputJson = b.initializerInputJson;
    this.startupTimeout = b.startupTimeout;
    this.stopTimeout = b.stopTimeout;
    this.classDataSharing = b.classDataSharing;
    this.cacheDirectory = b.cacheDirectory;
    this.javaHome = b.javaHome;
    this.classpath = b.classpath;
    this.maxInFlightPerWorker = b.maxInFlightPerWorker;
    this.maxPayloadBytes = b.maxPayloadBytes;
    this.maxFrameBytes = b.maxFrameBytes;
    this.restartPolicy = b.restartPolicy;
    this.maxStartFailures = b.maxStartFailures;
    this.stderr = b.stderr;
  }

  /** The defaults. */
  public static ProcessOptions defaults() {
    return DEFAULTS;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Extra JVM options of every worker. */
  public List<String> jvmOptions() {
    return jvmOptions;
  }

  /** The workers' {@code -Xmx} (e.g. {@code 256m}), or null for the JVM default. */
  public @Nullable String maxHeap() {
    return maxHeap;
  }

  /**
   * Tasks a worker runs before it is replaced by a fresh one (Python's {@code maxtasksperchild});
   * 0 means never. A map chunk counts as its number of inputs and is never split, so a worker may
   * run a few more than this before it retires.
   */
  public int maxTasksPerChild() {
    return maxTasksPerChild;
  }

  /** The task every worker runs once before taking work, or null. */
  public @Nullable String initializerTask() {
    return initializerTask;
  }

  /** The JSON input of the initializer ({@code null} JSON if none). */
  public String initializerInputJson() {
    return initializerInputJson;
  }

  /** How long a worker may take from launch to ready (initializer included). */
  public Duration startupTimeout() {
    return startupTimeout;
  }

  /** How long a worker may take to acknowledge the poison pill and exit before it is killed. */
  public Duration stopTimeout() {
    return stopTimeout;
  }

  /** True to use an application class-data-sharing archive to start workers faster. */
  public boolean classDataSharing() {
    return classDataSharing;
  }

  /** Where the class-data-sharing archives live. */
  public Path cacheDirectory() {
    return cacheDirectory;
  }

  /** The JDK of the workers. */
  public Path javaHome() {
    return javaHome;
  }

  /** The workers' class path. */
  public String classpath() {
    return classpath;
  }

  /**
   * The most task frames sent ahead to one worker. The pool adapts below this bound: one frame at
   * a time while tasks are slow (so long tasks are balanced across workers), up to this many when
   * they take microseconds (so the pipe is never idle).
   */
  public int maxInFlightPerWorker() {
    return maxInFlightPerWorker;
  }

  /** The largest JSON input or output of one task, in bytes. */
  public int maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** The largest protocol message (a whole map chunk), in bytes. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** When a dead worker is replaced. */
  public RestartPolicy restartPolicy() {
    return restartPolicy;
  }

  /**
   * Failed worker starts in a row (no {@code ready} in time, initializer threw) after which, if no
   * worker is alive, the pool is broken: queued executions fail and submissions are refused.
   */
  public int maxStartFailures() {
    return maxStartFailures;
  }

  /** Where the workers' standard error (and {@code System.out}) goes. */
  public ProcessBuilder.Redirect stderr() {
    return stderr;
  }

  /** A builder holding these values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.jvmOptions.addAll(jvmOptions);
    b.maxHeap = maxHeap;
    b.maxTasksPerChild = maxTasksPerChild;
    b.initializerTask = initializerTask;
    b.initializerInputJson = initializerInputJson;
    b.startupTimeout = startupTimeout;
    b.stopTimeout = stopTimeout;
    b.classDataSharing = classDataSharing;
    b.cacheDirectory = cacheDirectory;
    b.javaHome = javaHome;
    b.classpath = classpath;
    b.maxInFlightPerWorker = maxInFlightPerWorker;
    b.maxPayloadBytes = maxPayloadBytes;
    b.maxFrameBytes = maxFrameBytes;
    b.restartPolicy = restartPolicy;
    b.maxStartFailures = maxStartFailures;
    b.stderr = stderr;
    return b;
  }

  @Override
  public String toString() {
    return "ProcessOptions{jvmOptions=" + jvmOptions + ", maxHeap=" + maxHeap + ", maxTasksPerChild="
        + maxTasksPerChild + ", initializer=" + initializerTask + ", startupTimeout=" + startupTimeout
        + ", classDataSharing=" + classDataSharing + ", maxInFlightPerWorker=" + maxInFlightPerWorker + "}";
  }

  /** Validates each setting as it is given. Not thread-safe. */
  public static final class Builder {
    private final List<String> jvmOptions = new ArrayList<>();
    private @Nullable String maxHeap;
    private int maxTasksPerChild;
    private @Nullable String initializerTask;
    private String initializerInputJson = "null";
    private Duration startupTimeout = Duration.ofSeconds(30);
    private Duration stopTimeout = Duration.ofSeconds(10);
    private boolean classDataSharing = true;
    private Path cacheDirectory = defaultCacheDirectory();
    private Path javaHome = Path.of(System.getProperty("java.home"));
    private String classpath = System.getProperty("java.class.path", "");
    private int maxInFlightPerWorker = 256;
    private int maxPayloadBytes = JsonCodec.DEFAULT_MAX_BYTES;
    private int maxFrameBytes = 64 << 20;
    private RestartPolicy restartPolicy = RestartPolicy.backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    private int maxStartFailures = 5;
    private ProcessBuilder.Redirect stderr = ProcessBuilder.Redirect.INHERIT;

    private Builder() {}

    private static Path defaultCacheDirectory() {
      String xdg = System.getenv("XDG_CACHE_HOME");
      if (xdg != null && !xdg.isBlank()) {
        return Path.of(xdg, "spindle");
      }
      return Path.of(System.getProperty("user.home"), ".cache", "spindle");
    }

    /**
     * Adds JVM options for every worker.
     *
     * @throws IllegalArgumentException if one does not start with '-' or sets the class path or
     *     main class
     */
    public Builder jvmOptions(String... options) {
      List<String> list = List.of(options);
      ChildSpec.builder("check", "Check").jvmOptions(list); // validates
      jvmOptions.addAll(list);
      return this;
    }

    /**
     * Sets the workers' maximum heap.
     *
     * @param maxHeap as {@code -Xmx} takes it, e.g. {@code 256m}; null for the JVM default
     * @throws IllegalArgumentException if malformed
     */
    public Builder maxHeap(@Nullable String maxHeap) {
      ChildSpec.builder("check", "Check").maxHeap(maxHeap); // validates
      this.maxHeap = maxHeap;
      return this;
    }

    /**
     * Replaces a worker after it ran this many tasks; 0 never.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxTasksPerChild(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("maxTasksPerChild must be >= 0 (0 = unlimited): " + n);
      }
      this.maxTasksPerChild = n;
      return this;
    }

    /**
     * Runs a task once in every worker before it takes work. The task must be in the executor's
     * registry; a worker whose initializer throws does not start (see {@link #maxStartFailures}).
     *
     * @param input the initializer's input, serialized to JSON now
     * @throws IllegalArgumentException if the input cannot be serialized
     */
    public <I> Builder initializer(Task<I, ?> task, I input) {
      Objects.requireNonNull(task, "task");
      return initializer(task.name(), JsonCodec.defaults().toJson(input, "input of initializer '" + task.name() + "'"));
    }

    /**
     * Runs the named task once in every worker, with the given JSON as input.
     *
     * @throws IllegalArgumentException if the name is invalid or the JSON malformed
     */
    public Builder initializer(String taskName, String inputJson) {
      Task.validateName(taskName);
      Objects.requireNonNull(inputJson, "inputJson");
      JsonCodec.defaults().fromJson(inputJson, Object.class, "input of initializer '" + taskName + "'");
      this.initializerTask = taskName;
      this.initializerInputJson = inputJson;
      return this;
    }

    /**
     * How long a worker may take to start.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = positive(timeout, "startupTimeout");
      return this;
    }

    /**
     * How long a worker may take to stop after the poison pill before it is killed.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = positive(timeout, "stopTimeout");
      return this;
    }

    /** Turns the class-data-sharing archive on or off. */
    public Builder classDataSharing(boolean enabled) {
      this.classDataSharing = enabled;
      return this;
    }

    /** Where class-data-sharing archives are kept (created if missing). */
    public Builder cacheDirectory(Path dir) {
      this.cacheDirectory = Objects.requireNonNull(dir, "cacheDirectory");
      return this;
    }

    /**
     * The workers' JDK.
     *
     * @throws IllegalArgumentException if it has no {@code bin/java}
     */
    public Builder javaHome(Path javaHome) {
      Objects.requireNonNull(javaHome, "javaHome");
      if (!Files.isExecutable(javaHome.resolve("bin").resolve("java"))) {
        throw new IllegalArgumentException("no executable bin/java under " + javaHome);
      }
      this.javaHome = javaHome;
      return this;
    }

    /** The workers' class path. */
    public Builder classpath(String classpath) {
      this.classpath = Objects.requireNonNull(classpath, "classpath");
      return this;
    }

    /**
     * Bounds the frames sent ahead to one worker.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxInFlightPerWorker(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxInFlightPerWorker must be >= 1: " + n);
      }
      this.maxInFlightPerWorker = n;
      return this;
    }

    /**
     * The largest JSON payload of one task input or output.
     *
     * @throws IllegalArgumentException if below 16 bytes
     */
    public Builder maxPayloadBytes(int bytes) {
      if (bytes < 16) {
        throw new IllegalArgumentException("maxPayloadBytes must be >= 16: " + bytes);
      }
      this.maxPayloadBytes = bytes;
      return this;
    }

    /**
     * The largest protocol message.
     *
     * @throws IllegalArgumentException if below 4 KiB
     */
    public Builder maxFrameBytes(int bytes) {
      if (bytes < 4096) {
        throw new IllegalArgumentException("maxFrameBytes must be >= 4096: " + bytes);
      }
      this.maxFrameBytes = bytes;
      return this;
    }

    /** When dead workers are replaced. */
    public Builder restartPolicy(RestartPolicy policy) {
      this.restartPolicy = Objects.requireNonNull(policy, "restartPolicy");
      return this;
    }

    /**
     * Failed starts in a row that break the pool when no worker is alive.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxStartFailures(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxStartFailures must be >= 1: " + n);
      }
      this.maxStartFailures = n;
      return this;
    }

    /**
     * Where the workers' standard error goes (default: inherited).
     *
     * @throws IllegalArgumentException for {@link ProcessBuilder.Redirect#PIPE}, which nothing
     *     reads (a worker printing more than the pipe holds would block for good), or a redirect
     *     for reading
     */
    public Builder stderr(ProcessBuilder.Redirect stderr) {
      Objects.requireNonNull(stderr, "stderr");
      if (stderr.type() == ProcessBuilder.Redirect.Type.PIPE || stderr.type() == ProcessBuilder.Redirect.Type.READ) {
        throw new IllegalArgumentException("stderr must be INHERIT, DISCARD or a file, not " + stderr);
      }
      this.stderr = stderr;
      return this;
    }

    /**
     * The immutable options.
     *
     * @throws IllegalArgumentException if maxPayloadBytes exceeds maxFrameBytes
     */
    public ProcessOptions build() {
      if (maxPayloadBytes > maxFrameBytes) {
        throw new IllegalArgumentException("maxPayloadBytes (" + maxPayloadBytes + ") must not exceed maxFrameBytes ("
            + maxFrameBytes + ")");
      }
      return new ProcessOptions(this);
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }
  }

  /** {@link ExecutionModel#PROCESSES}: a builder of another model refuses these options. */
  @Override
  public ExecutionModel model() {
    return ExecutionModel.PROCESSES;
  }
}
