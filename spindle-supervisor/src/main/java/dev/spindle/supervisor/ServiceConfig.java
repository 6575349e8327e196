package dev.spindle.supervisor;

import dev.spindle.spi.JsonCodec;
import dev.spindle.supervisor.internal.Sizes;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One service a {@link ServiceManager} runs: its name, its {@link Service} class, how many workers
 * (child JVMs), the arguments every worker receives, and how the workers are started, recycled,
 * restarted and stopped. Immutable and thread-safe; built with a validating {@link #builder}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link #workers()}</td><td>1 (0 is allowed: defined but scaled to nothing)</td></tr>
 *   <tr><td>{@link #argsJson()}</td><td>none ({@code null})</td></tr>
 *   <tr><td>{@link #jvmOptions()}</td><td>none; {@code -XX:+UseSerialGC} is added unless a GC is chosen</td></tr>
 *   <tr><td>{@link #maxHeap()}</td><td>none: the JVM's default {@code -Xmx}</td></tr>
 *   <tr><td>{@link #environment()}</td><td>none added (children inherit the master's environment)</td></tr>
 *   <tr><td>{@link #maxJobsPerChild()}</td><td>0: never recycled for the number of jobs</td></tr>
 *   <tr><td>{@link #maxResidentBytes()}</td><td>0: no limit on the child's RSS</td></tr>
 *   <tr><td>{@link #maxHeapUsedBytes()}</td><td>0: no limit on the heap the child reports</td></tr>
 *   <tr><td>{@link #stopTimeout()}</td><td>10 s from the stop request (SIGTERM) to SIGKILL</td></tr>
 *   <tr><td>{@link #restartDelay()} / {@link #maxRestartDelay()}</td><td>100 ms doubling to 30 s
 *       after repeated quick deaths (the first death of a stable child restarts at once)</td></tr>
 *   <tr><td>{@link #stableAfter()}</td><td>10 s: a child that lived this long resets the failure count</td></tr>
 *   <tr><td>{@link #crashLoopThreshold()}</td><td>5 quick deaths in a row are reported as a crash loop</td></tr>
 * </table>
 *
 * <p>Two configurations with the same {@link #sameDefinition definition} differ at most in their
 * worker count: a reload that changes only the count rescales the service live; any other change
 * restarts that service's workers (and no other service's).
 */
public final class ServiceConfig {
  /** The most workers one service may have. */
  public static final int MAX_WORKERS = 512;
  /** The largest {@link #argsJson()}, in bytes. */
  public static final int MAX_ARGS_BYTES = 1 << 20;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,39}");

  private final String name;
  private final String serviceClass;
  private final int workers;
  private final @Nullable String argsJson;
  private final List<String> jvmOptions;
  private final @Nullable String maxHeap;
  private final Map<String, String> environment;
  private final long maxJobsPerChild;
  private final long maxResidentBytes;
  private final long maxHeapUsedBytes;
  private final Duration stopTimeout;
  private final Duration restartDelay;
  private final Duration maxRestartDelay;
  private final Duration stableAfter;
  private final int crashLoopThreshold;

  private ServiceConfig(Builder b) {
    this.name = b.name;
    this.serviceClass = b.serviceClass;
    this.workers = b.workers;
    this.argsJson = b.argsJson;
    this.jvmOptions = List.copyOf(b.jvmOptions);
    this.maxHeap = b.maxHeap;
    this.environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.environment));
    this.maxJobsPerChild = b.maxJobsPerChild;
    this.maxResidentBytes = b.maxResidentBytes;
    this.maxHeapUsedBytes = b.maxHeapUsedBytes;
    this.stopTimeout = b.stopTimeout;
    this.restartDelay = b.restartDelay;
    this.maxRestartDelay = b.maxRestartDelay;
    this.stableAfter = b.stableAfter;
    this.crashLoopThreshold = b.crashLoopThreshold;
  }

  /**
   * A builder for a service named after the class's simple name (Cotyledon uses the class name
   * when a service has no {@code name}).
   *
   * @throws IllegalArgumentException if the class cannot be a service (see {@link #builder(String, Class)})
   */
  public static Builder builder(Class<? extends Service> serviceClass) {
    return builder(serviceClass.getSimpleName(), serviceClass);
  }

  /**
   * A builder.
   *
   * @param name 1-40 characters of {@code [A-Za-z0-9_.-]}, starting with a letter or digit; shown in
   *     {@code ps} titles ({@code spindle: printer worker(0)}) and used by {@code spindle ctl}
   * @param serviceClass a public, concrete subclass of {@link Service} with a public constructor
   *     taking a {@link ServiceContext} (or none); it is instantiated in each child JVM
   * @throws IllegalArgumentException if the name or class is unfit, saying why
   */
  public static Builder builder(String name, Class<? extends Service> serviceClass) {
    checkServiceClass(Objects.requireNonNull(serviceClass, "serviceClass"));
    return new Builder(name, serviceClass.getName());
  }

  /**
   * A builder naming the class (as a configuration file does); the class is loaded with this
   * thread's context class loader to check it.
   *
   * @throws IllegalArgumentException if the class is not found or cannot be a service
   */
  public static Builder builder(String name, String serviceClassName) {
    return builder(name, loadServiceClass(serviceClassName, name));
  }

  /** Loads and checks a service class by name. */
  static Class<? extends Service> loadServiceClass(String className, String serviceName) {
    Objects.requireNonNull(className, "serviceClassName");
    Class<?> c;
    try {
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      c = Class.forName(className, false, cl == null ? ServiceConfig.class.getClassLoader() : cl);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException("service '" + serviceName + "': class " + className
          + " is not on the class path (" + e + ")", e);
    }
    if (!Service.class.isAssignableFrom(c)) {
      throw new IllegalArgumentException("service '" + serviceName + "': " + className + " does not extend "
          + Service.class.getName());
    }
    @SuppressWarnings("unchecked")
    Class<? extends Service> sc = (Class<? extends Service>) c;
    return sc;
  }

  /**
   * Checks that instances of {@code c} can be built in a child JVM.
   *
   * @throws IllegalArgumentException if not, saying why
   */
  static void checkServiceClass(Class<? extends Service> c) {
    int m = c.getModifiers();
    if (!Modifier.isPublic(m) || Modifier.isAbstract(m) || c.isInterface()
        || (c.getEnclosingClass() != null && !Modifier.isStatic(m)) || c.isAnonymousClass() || c.isLocalClass()) {
      throw new IllegalArgumentException(c.getName() + " must be a public, concrete, top-level or static nested "
          + "class to run as a service in a child JVM");
    }
    if (constructor(c) == null) {
      throw new IllegalArgumentException(c.getName() + " needs a public constructor taking a "
          + ServiceContext.class.getSimpleName() + " (or no arguments)");
    }
  }

  /** The public (ServiceContext) or () constructor, or null. */
  static @Nullable Constructor<? extends Service> constructor(Class<? extends Service> c) {
    try {
      return c.getConstructor(ServiceContext.class);
    } catch (NoSuchMethodException e) {
      try {
        return c.getConstructor();
      } catch (NoSuchMethodException e2) {
        return null;
      }
    }
  }

  /** The service's name. */
  public String name() {
    return name;
  }

  /** The fully qualified name of its {@link Service} class. */
  public String serviceClass() {
    return serviceClass;
  }

  /** How many workers run it. */
  public int workers() {
    return workers;
  }

  /** The JSON each worker receives ({@link ServiceContext#args}), or null. */
  public @Nullable String argsJson() {
    return argsJson;
  }

  /** Extra JVM options of each child. */
  public List<String> jvmOptions() {
    return jvmOptions;
  }

  /** The children's {@code -Xmx} (e.g. {@code 256m}), or null. */
  public @Nullable String maxHeap() {
    return maxHeap;
  }

  /** Extra environment variables of each child. */
  public Map<String, String> environment() {
    return environment;
  }

  /** Jobs ({@link ServiceContext#jobDone()}) after which a child is replaced; 0 = never. */
  public long maxJobsPerChild() {
    return maxJobsPerChild;
  }

  /** Resident set size (bytes, from {@code /proc/<pid>/status}) above which a child is replaced; 0 = no limit. */
  public long maxResidentBytes() {
    return maxResidentBytes;
  }

  /** Heap in use after the last GC (bytes, reported by the child) above which it is replaced; 0 = no limit. */
  public long maxHeapUsedBytes() {
    return maxHeapUsedBytes;
  }

  /** How long a stopping child may take between SIGTERM and SIGKILL. */
  public Duration stopTimeout() {
    return stopTimeout;
  }

  /** The first back-off delay after repeated quick deaths. */
  public Duration restartDelay() {
    return restartDelay;
  }

  /** The longest back-off delay. */
  public Duration maxRestartDelay() {
    return maxRestartDelay;
  }

  /** A child that lived this long resets its slot's failure count. */
  public Duration stableAfter() {
    return stableAfter;
  }

  /** Quick deaths in a row reported as a crash loop. */
  public int crashLoopThreshold() {
    return crashLoopThreshold;
  }

  /** A copy with another worker count. */
  public ServiceConfig withWorkers(int workers) {
    return toBuilder().workers(workers).build();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder(name, serviceClass);
    b.workers = workers;
    b.argsJson = argsJson;
    b.jvmOptions.addAll(jvmOptions);
    b.maxHeap = maxHeap;
    b.environment.putAll(environment);
    b.maxJobsPerChild = maxJobsPerChild;
    b.maxResidentBytes = maxResidentBytes;
    b.maxHeapUsedBytes = maxHeapUsedBytes;
    b.stopTimeout = stopTimeout;
    b.restartDelay = restartDelay;
    b.maxRestartDelay = maxRestartDelay;
    b.stableAfter = stableAfter;
    b.crashLoopThreshold = crashLoopThreshold;
    return b;
  }

  /** True if {@code other} differs from this configuration at most in its worker count. */
  public boolean sameDefinition(ServiceConfig other) {
    return other != null && name.equals(other.name) && serviceClass.equals(other.serviceClass)
        && Objects.equals(argsJson, other.argsJson) && jvmOptions.equals(other.jvmOptions)
        && Objects.equals(maxHeap, other.maxHeap) && environment.equals(other.environment)
        && maxJobsPerChild == other.maxJobsPerChild && maxResidentBytes == other.maxResidentBytes
        && maxHeapUsedBytes == other.maxHeapUsedBytes && stopTimeout.equals(other.stopTimeout)
        && restartDelay.equals(other.restartDelay) && maxRestartDelay.equals(other.maxRestartDelay)
        && stableAfter.equals(other.stableAfter) && crashLoopThreshold == other.crashLoopThreshold;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServiceConfig c && workers == c.workers && sameDefinition(c);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, serviceClass, workers, argsJson);
  }

  @Override
  public String toString() {
    return "ServiceConfig{" + name + ": " + serviceClass + " x" + workers + "}";
  }

  /** Validates each setting as it is given. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final String serviceClass;
    private int workers = 1;
    private @Nullable String argsJson;
    private final List<String> jvmOptions = new ArrayList<>();
    private @Nullable String maxHeap;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private long maxJobsPerChild;
    private long maxResidentBytes;
    private long maxHeapUsedBytes;
    private Duration stopTimeout = Duration.ofSeconds(10);
    private Duration restartDelay = Duration.ofMillis(100);
    private Duration maxRestartDelay = Duration.ofSeconds(30);
    private Duration stableAfter = Duration.ofSeconds(10);
    private int crashLoopThreshold = 5;

    private Builder(String name, String serviceClass) {
      Objects.requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("service name must be 1-40 characters of [A-Za-z0-9_.-], starting with "
            + "a letter or digit: '" + name + "'");
      }
      this.name = name;
      this.serviceClass = serviceClass;
    }

    /**
     * How many workers (default 1).
     *
     * @throws IllegalArgumentException if not in 0..{@value ServiceConfig#MAX_WORKERS}
     */
    public Builder workers(int workers) {
      checkWorkers(name, workers);
      this.workers = workers;
      return this;
    }

    /**
     * The arguments every worker receives, serialized to JSON now (Cotyledon's {@code args=(queue,)}).
     * Cross-process primitives such as a {@code JoinableQueue} serialize to their descriptor.
     *
     * @throws dev.spindle.PayloadException if the value cannot be serialized or is over 1 MiB
     */
    public Builder args(@Nullable Object args) {
      this.argsJson = args == null ? null : new JsonCodec(MAX_ARGS_BYTES).toJson(args, "args of service '" + name + "'");
      return this;
    }

    /**
     * The arguments as JSON text.
     *
     * @throws dev.spindle.PayloadException if it is not valid JSON or is over 1 MiB
     */
    public Builder argsJson(String json) {
      if (json != null) {
        new JsonCodec(MAX_ARGS_BYTES).fromJson(json, tools.jackson.databind.JsonNode.class,
            "args of service '" + name + "'");
      }
      this.argsJson = json;
      return this;
    }

    /**
     * Adds JVM options of each child.
     *
     * @throws IllegalArgumentException if an option does not start with '-' or sets the class path
     */
    public Builder jvmOptions(List<String> options) {
      for (String o : options) {
        Objects.requireNonNull(o, "jvm option");
        if (!o.startsWith("-")) {
          throw new IllegalArgumentException("service '" + name + "': a JVM option must start with '-': '" + o + "'");
        }
        if (o.equals("-cp") || o.equals("-classpath") || o.equals("--class-path") || o.equals("-jar")) {
          throw new IllegalArgumentException("service '" + name + "': JVM option " + o + " is not allowed; set the "
              + "class path on the ServiceManager builder");
        }
        jvmOptions.add(o);
      }
      return this;
    }

    /**
     * The children's maximum heap, as {@code -Xmx} takes it ({@code 256m}, {@code 2g}); null for the default.
     *
     * @throws IllegalArgumentException if malformed
     */
    public Builder maxHeap(String maxHeap) {
      if (maxHeap != null && !maxHeap.matches("[1-9][0-9]*[kKmMgG]?")) {
        throw new IllegalArgumentException("service '" + name + "': maxHeap must be a size like 256m or 2g: '"
            + maxHeap + "'");
      }
      this.maxHeap = maxHeap;
      return this;
    }

    /**
     * Adds an environment variable of each child.
     *
     * @throws IllegalArgumentException if the name is not a valid variable name or is reserved ({@code SPINDLE_*})
     */
    public Builder env(String key, String value) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      if (!key.matches("[A-Za-z_][A-Za-z0-9_]*") || key.startsWith("SPINDLE_") || key.equals("CLASSPATH")) {
        throw new IllegalArgumentException("service '" + name + "': environment variable name '" + key
            + "' is invalid or reserved");
      }
      environment.put(key, value);
      return this;
    }

    /**
     * Replaces a child after it reported this many jobs ({@link ServiceContext#jobDone()}); 0 = never.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxJobsPerChild(long jobs) {
      if (jobs < 0) {
        throw new IllegalArgumentException("service '" + name + "': maxJobsPerChild must be >= 0: " + jobs);
      }
      this.maxJobsPerChild = jobs;
      return this;
    }

    /**
     * Replaces a child whose resident set size passes this many bytes; 0 = no limit.
     *
     * @throws IllegalArgumentException if negative, or positive but under 16 MiB
     */
    public Builder maxResidentBytes(long bytes) {
      this.maxResidentBytes = checkMemory("maxResidentBytes", bytes);
      return this;
    }

    /** {@link #maxResidentBytes(long)} from a size such as {@code 512m}. */
    public Builder maxResident(String size) {
      return maxResidentBytes(Sizes.parseBytes(size, "service '" + name + "': maxResident"));
    }

    /**
     * Replaces a child whose heap in use after a garbage collection passes this many bytes; 0 = no limit.
     *
     * @throws IllegalArgumentException if negative, or positive but under 1 MiB
     */
    public Builder maxHeapUsedBytes(long bytes) {
      if (bytes != 0 && bytes < (1 << 20)) {
        throw new IllegalArgumentException("service '" + name + "': maxHeapUsedBytes must be 0 or >= 1 MiB: " + bytes);
      }
      if (bytes < 0) {
        throw new IllegalArgumentException("service '" + name + "': maxHeapUsedBytes must be >= 0: " + bytes);
      }
      this.maxHeapUsedBytes = bytes;
      return this;
    }

    /** {@link #maxHeapUsedBytes(long)} from a size such as {@code 200m}. */
    public Builder maxHeapUsed(String size) {
      return maxHeapUsedBytes(Sizes.parseBytes(size, "service '" + name + "': maxHeapUsed"));
    }

    private long checkMemory(String what, long bytes) {
      if (bytes < 0 || (bytes > 0 && bytes < (16L << 20))) {
        throw new IllegalArgumentException("service '" + name + "': " + what + " must be 0 or >= 16 MiB: " + bytes);
      }
      return bytes;
    }

    /**
     * Time between SIGTERM and SIGKILL when a child is stopped (default 10 s).
     *
     * @throws IllegalArgumentException if negative or over one hour
     */
    public Builder stopTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "stopTimeout");
      if (timeout.isNegative() || timeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("service '" + name + "': stopTimeout must be in 0..1h: " + timeout);
      }
      this.stopTimeout = timeout;
      return this;
    }

    /**
     * Back-off after repeated quick deaths: the second quick death waits {@code initial}, each
     * further one twice as long, up to {@code max} (defaults 100 ms and 30 s).
     *
     * @throws IllegalArgumentException unless {@code 0 < initial <= max <= 1 h}
     */
    public Builder restartBackoff(Duration initial, Duration max) {
      Objects.requireNonNull(initial, "initial");
      Objects.requireNonNull(max, "max");
      if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || max.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("service '" + name + "': need 0 < initial <= max <= 1h for the restart "
            + "back-off: " + initial + ", " + max);
      }
      this.restartDelay = initial;
      this.maxRestartDelay = max;
      return this;
    }

    /**
     * A child that ran at least this long resets the failure count (default 10 s).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder stableAfter(Duration stableAfter) {
      Objects.requireNonNull(stableAfter, "stableAfter");
      if (stableAfter.isNegative()) {
        throw new IllegalArgumentException("service '" + name + "': stableAfter must not be negative: " + stableAfter);
      }
      this.stableAfter = stableAfter;
      return this;
    }

    /**
     * Quick deaths in a row reported as a crash loop (default 5).
     *
     * @throws IllegalArgumentException if below 2
     */
    public Builder crashLoopThreshold(int threshold) {
      if (threshold < 2) {
        throw new IllegalArgumentException("service '" + name + "': crashLoopThreshold must be >= 2: " + threshold);
      }
      this.crashLoopThreshold = threshold;
      return this;
    }

    /** The immutable configuration. */
    public ServiceConfig build() {
      return new ServiceConfig(this);
    }
  }

  static void checkWorkers(String name, int workers) {
    if (workers < 0 || workers > MAX_WORKERS) {
      throw new IllegalArgumentException("service '" + name + "': workers must be in 0.." + MAX_WORKERS + ": " + workers);
    }
  }
}
