package dev.spindle.supervisor;

import dev.spindle.supervisor.internal.Master;
import dev.spindle.supervisor.internal.MasterSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A master process that runs N instances of one or more {@link Service}s, each in its own child
 * JVM, and keeps them running (Cotyledon's {@code ServiceManager}; the entry point of this module).
 *
 * <pre>{@code
 * ServiceManager manager = ServiceManager.builder()
 *     .service(ServiceConfig.builder("printer", PrinterService.class).workers(2).build())
 *     .onReload(m -> m.scale("printer", 5))
 *     .handleSignals(true)
 *     .build();
 * System.exit(manager.run().exitCode());
 * }</pre>
 *
 * <ul>
 *   <li><b>Names.</b> Each child's process title is {@code <program>: <service> worker(<id>)}
 *       ({@code ps -eo pid,args} shows {@code spindle: printer worker(0)}); worker ids run from 0 to
 *       workers-1 and survive restarts.</li>
 *   <li><b>Respawn.</b> A child that exits or is killed is replaced at once; one that keeps dying
 *       young is reported as crash-looping and restarted with exponential back-off
 *       ({@link ServiceConfig.Builder#restartBackoff}). The mechanism is the process layer's
 *       {@link dev.spindle.process.supervise.Supervisor}, the same one that runs the
 *       {@code PROCESSES} executor's pool.</li>
 *   <li><b>Live reconfiguration.</b> {@link #scale} changes one service's worker count without
 *       touching other children; {@link #reload} re-reads the configuration file and runs the
 *       {@link ReloadHook}. Both are reachable over the control socket ({@code spindle ctl scale
 *       printer=5}, {@code spindle ctl reload}) and, with {@link Builder#handleSignals}, by SIGHUP.</li>
 *   <li><b>Stop.</b> {@link #stop()} (and SIGTERM/SIGINT) sends each child SIGTERM: its service's
 *       stop signal is set and {@link Service#terminate()} runs; children still alive after their
 *       service's {@link ServiceConfig#stopTimeout()} are killed. The manager terminates after the
 *       last child, with a {@link Termination} saying whether all stopped in time. A second
 *       SIGTERM/SIGINT kills the children at once.</li>
 *   <li><b>Master death.</b> Children exit by themselves when the master dies, even by
 *       {@code kill -9} (end of file on their standard input and on the control connection, and
 *       the parent pid check of {@link dev.spindle.process.supervise.ParentWatchdog}).</li>
 *   <li><b>Recycling.</b> A child is replaced after {@link ServiceConfig#maxJobsPerChild()} jobs
 *       or when its RSS or its heap after GC passes the service's limit.</li>
 *   <li><b>Control socket.</b> {@code <runDirectory>/<name>.sock}, in a directory of mode 0700;
 *       peers of another user are refused. See {@link ControlClient}.</li>
 * </ul>
 *
 * <p>Thread-safe. Management calls ({@link #scale}, {@link #reload}, {@link #stop()}) are
 * serialized.
 */
public final class ServiceManager implements AutoCloseable {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,39}");

  private final MasterSettings settings;
  private final Master master;

  private ServiceManager(MasterSettings settings) {
    this.settings = settings;
    this.master = new Master(settings, this);
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The manager's name. */
  public String name() {
    return settings.name();
  }

  /**
   * Opens the control socket, installs the signal handlers (if asked) and starts every worker.
   * Returns once the children are launched (not once their services are built).
   *
   * @return this
   * @throws IllegalStateException if already started, if another master with this name is
   *     running, if the run directory is unsafe, or if a child cannot be launched
   * @throws IllegalArgumentException if the configuration file is invalid
   */
  public ServiceManager start() {
    master.start();
    return this;
  }

  /**
   * Starts (if not yet started) and waits until the manager terminates: what a master's
   * {@code main} does.
   *
   * @return how it ended; pass {@link Termination#exitCode()} to {@code System.exit}
   */
  public Termination run() {
    if (master.state() == ManagerState.NEW) {
      start();
    }
    while (true) {
      try {
        return master.onTermination().get();
      } catch (InterruptedException e) {
        stop();
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
  }

  /**
   * Sets a service's worker count. New worker ids start at once; the highest ids stop gracefully;
   * every other child is untouched.
   *
   * @return the previous count
   * @throws IllegalArgumentException if there is no such service, or the count is not in 0..{@value ServiceConfig#MAX_WORKERS}
   * @throws IllegalStateException if the manager is not running, or a child cannot be launched
   */
  public int scale(String service, int workers) {
    return master.scale(Objects.requireNonNull(service, "service"), workers);
  }

  /**
   * Reloads: re-reads the configuration file (if the manager has one) and applies the differences,
   * then runs the reload hook. A changed worker count rescales that service; any other change to a
   * service restarts that service's workers; added and removed services start and stop. Other
   * services are untouched.
   *
   * @return one line per change
   * @throws IllegalArgumentException if the file is invalid (then nothing was changed)
   * @throws IllegalStateException if the manager is not running or the hook failed
   */
  public List<String> reload() {
    return master.reload();
  }

  /** Starts the graceful stop (see the class description); returns at once. Idempotent. */
  public CompletableFuture<Termination> stop() {
    return master.stop("stop requested");
  }

  /** Stops and kills every child at once. */
  public CompletableFuture<Termination> stopNow() {
    return master.stopNow("immediate stop requested");
  }

  /** Completes when the manager has terminated (after its last child). */
  public CompletableFuture<Termination> onTermination() {
    return master.onTermination();
  }

  /**
   * Waits for termination.
   *
   * @return the termination, or empty if the timeout elapsed
   */
  public Optional<Termination> awaitTermination(Duration timeout) throws InterruptedException {
    try {
      return Optional.of(master.onTermination().get(TimeUnit.NANOSECONDS.convert(timeout), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** A snapshot of every service and worker. */
  public ManagerStatus status() {
    return master.status();
  }

  /** The state. */
  public ManagerState state() {
    return master.state();
  }

  /** The current configuration of every service (worker counts as last scaled). */
  public List<ServiceConfig> services() {
    return master.services();
  }

  /** The control socket's path, once started. */
  public Optional<Path> controlSocket() {
    return Optional.ofNullable(master.socket());
  }

  /** Stops gracefully and waits for termination. */
  @Override
  public void close() {
    stop();
    boolean interrupted = false;
    while (true) {
      try {
        master.onTermination().get();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException e) {
        break;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "ServiceManager[" + settings.name() + " " + master.state() + "]";
  }

  /**
   * Validates each setting as it is given and checks the whole at {@link #build()}. Not thread-safe.
   *
   * <table>
   *   <caption>Settings and defaults</caption>
   *   <tr><th>setting</th><th>default</th></tr>
   *   <tr><td>{@link #name}</td><td>{@code spindle}: the control socket is {@code spindle.sock}</td></tr>
   *   <tr><td>{@link #programName}</td><td>{@code spindle}: titles read {@code spindle: printer worker(0)}</td></tr>
   *   <tr><td>{@link #service} / {@link #configFile}</td><td>none; at least one service is required</td></tr>
   *   <tr><td>{@link #onReload}</td><td>none</td></tr>
   *   <tr><td>{@link #runDirectory}</td><td>{@link RunDirectory#defaultPath()}</td></tr>
   *   <tr><td>{@link #handleSignals}</td><td>false (a library must not take the JVM's signals unasked)</td></tr>
   *   <tr><td>{@link #clock}</td><td>{@link Clock#systemUTC()}</td></tr>
   *   <tr><td>{@link #ticker}</td><td>{@link System#nanoTime()}</td></tr>
   *   <tr><td>{@link #javaHome} / {@link #classpath}</td><td>this JVM's</td></tr>
   *   <tr><td>{@link #memoryCheckInterval}</td><td>2 s between RSS checks</td></tr>
   *   <tr><td>{@link #reportInterval}</td><td>1 s between the children's job and heap reports</td></tr>
   *   <tr><td>{@link #childStdout} / {@link #childStderr}</td><td>inherited from the master</td></tr>
   * </table>
   */
  public static final class Builder {
    private String name = "spindle";
    private String programName = "spindle";
    private final List<ServiceConfig> services = new ArrayList<>();
    private @Nullable Path configFile;
    private @Nullable ReloadHook reloadHook;
    private final List<ServiceListener> listeners = new ArrayList<>();
    private @Nullable Path runDirectory;
    private boolean handleSignals;
    private Clock clock = Clock.systemUTC();
    private LongSupplier ticker = System::nanoTime;
    private Path javaHome = Path.of(System.getProperty("java.home"));
    private String classpath = System.getProperty("java.class.path", "");
    private Duration memoryCheckInterval = Duration.ofSeconds(2);
    private Duration reportInterval = Duration.ofSeconds(1);
    private ProcessBuilder.Redirect childStdout = ProcessBuilder.Redirect.INHERIT;
    private ProcessBuilder.Redirect childStderr = ProcessBuilder.Redirect.INHERIT;

    private Builder() {}

    /**
     * The manager's name: its control socket is {@code <name>.sock} and {@code spindle ctl --name}
     * finds it by this name. Two masters with the same name cannot run in one run directory.
     *
     * @throws IllegalArgumentException unless 1-40 characters of {@code [A-Za-z0-9_.-]}
     */
    public Builder name(String name) {
      if (!NAME.matcher(Objects.requireNonNull(name, "name")).matches()) {
        throw new IllegalArgumentException("manager name must be 1-40 characters of [A-Za-z0-9_.-], starting with a "
            + "letter or digit: '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * The prefix of the children's process titles (Cotyledon uses the script's name).
     *
     * @throws IllegalArgumentException unless 1-40 printable ASCII characters
     */
    public Builder programName(String programName) {
      Objects.requireNonNull(programName, "programName");
      if (programName.isBlank() || programName.length() > 40
          || !programName.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("programName must be 1-40 printable ASCII characters: '" + programName + "'");
      }
      this.programName = programName;
      return this;
    }

    /**
     * Adds a service (Cotyledon's {@code manager.add(...)}).
     *
     * @throws IllegalArgumentException if a service with this name was added already
     */
    public Builder service(ServiceConfig service) {
      Objects.requireNonNull(service, "service");
      if (services.stream().anyMatch(x -> x.name().equals(service.name()))) {
        throw new IllegalArgumentException("service '" + service.name() + "' was added twice");
      }
      services.add(service);
      return this;
    }

    /**
     * Reads the services from a JSON file at start, and again at each reload (see
     * {@code dev.spindle.supervisor.internal.ConfigFile} for the format). Cannot be combined with
     * {@link #service}.
     *
     * @throws IllegalArgumentException if the file does not exist
     */
    public Builder configFile(Path file) {
      Objects.requireNonNull(file, "file");
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("configuration file " + file + " does not exist");
      }
      this.configFile = file.toAbsolutePath();
      return this;
    }

    /** The hook run at each reload (Cotyledon's {@code register_hooks(on_reload=...)}). */
    public Builder onReload(ReloadHook hook) {
      this.reloadHook = Objects.requireNonNull(hook, "hook");
      return this;
    }

    /** Adds a listener. */
    public Builder listener(ServiceListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Where the control socket goes; created with mode 0700 if missing, refused if looser. */
    public Builder runDirectory(Path dir) {
      this.runDirectory = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** Whether SIGTERM/SIGINT stop and SIGHUP reloads (default false; the CLI sets it). */
    public Builder handleSignals(boolean handle) {
      this.handleSignals = handle;
      return this;
    }

    /** The clock for reported times: start times and the termination's. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The monotonic time source, in nanoseconds, for uptimes and delays: whether a child died young
     * (crash loops) and the uptimes reported (default: {@link System#nanoTime()}).
     */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * The JDK the children run on.
     *
     * @throws IllegalArgumentException if it has no {@code bin/java}
     */
    public Builder javaHome(Path javaHome) {
      if (!Files.isExecutable(Objects.requireNonNull(javaHome, "javaHome").resolve("bin").resolve("java"))) {
        throw new IllegalArgumentException("no executable bin/java under " + javaHome);
      }
      this.javaHome = javaHome;
      return this;
    }

    /** The children's class path (it must hold the service classes). */
    public Builder classpath(String classpath) {
      this.classpath = Objects.requireNonNull(classpath, "classpath");
      return this;
    }

    /**
     * How often each child's RSS is compared with its service's limit (default 2 s).
     *
     * @throws IllegalArgumentException unless 10 ms to 10 min
     */
    public Builder memoryCheckInterval(Duration every) {
      this.memoryCheckInterval = range(every, "memoryCheckInterval");
      return this;
    }

    /**
     * How often children report their job count and heap (default 1 s).
     *
     * @throws IllegalArgumentException unless 50 ms to 10 min
     */
    public Builder reportInterval(Duration every) {
      this.reportInterval = range(every, "reportInterval");
      if (every.toMillis() < 50) {
        throw new IllegalArgumentException("reportInterval must be at least 50 ms: " + every);
      }
      return this;
    }

    /**
     * Where the children's standard output goes (default: the master's, so {@code Doing stuff}
     * appears where the master runs). A pipe is refused: nobody would read it and the children
     * would block.
     *
     * @throws IllegalArgumentException for {@link ProcessBuilder.Redirect#PIPE}
     */
    public Builder childStdout(ProcessBuilder.Redirect redirect) {
      this.childStdout = noPipe(redirect, "childStdout");
      return this;
    }

    /** Where the children's standard error goes (default: the master's); a pipe is refused. */
    public Builder childStderr(ProcessBuilder.Redirect redirect) {
      this.childStderr = noPipe(redirect, "childStderr");
      return this;
    }

    private static ProcessBuilder.Redirect noPipe(ProcessBuilder.Redirect r, String what) {
      Objects.requireNonNull(r, what);
      if (r.type() == ProcessBuilder.Redirect.Type.PIPE || r.type() == ProcessBuilder.Redirect.Type.READ) {
        throw new IllegalArgumentException(what + " must be INHERIT, DISCARD or a file, not " + r);
      }
      return r;
    }

    private static Duration range(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.toMillis() < 10 || d.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(what + " must be between 10 ms and 10 min: " + d);
      }
      return d;
    }

    /**
     * The manager.
     *
     * @throws IllegalArgumentException if there is no service, or both services and a file were given
     */
    public ServiceManager build() {
      if (configFile != null && !services.isEmpty()) {
        throw new IllegalArgumentException("give services either in code or in a configuration file, not both");
      }
      if (configFile == null && services.isEmpty()) {
        throw new IllegalArgumentException("a service manager needs at least one service");
      }
      Set<String> seen = new HashSet<>();
      services.forEach(s -> seen.add(s.name()));
      Path dir = runDirectory != null ? runDirectory : RunDirectory.defaultPath();
      RunDirectory.socketPath(dir, name); // fails early if too long
      return new ServiceManager(new MasterSettings(name, programName, services, configFile, reloadHook, listeners,
          dir, handleSignals, clock, ticker, javaHome, classpath, memoryCheckInterval, reportInterval, childStdout, childStderr));
    }
  }
}
