package dev.spindle.process.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Starts child JVMs from {@link ChildSpec}s. Stateless and thread-safe.
 *
 * <p>What every child gets:
 * <ul>
 *   <li>A readable title: where {@code /bin/bash} exists the JVM is started through
 *       {@code bash -c 'exec -a "$0" "$@"' TITLE java ...}, which sets argv[0], so
 *       {@code ps -eo pid,args} shows e.g. {@code primes worker(0) -Xshare:auto ... MainClass}
 *       (Java cannot set its own process title). Without bash the title is only in the
 *       environment ({@value #TITLE_ENV}).</li>
 *   <li>The class path in the {@code CLASSPATH} environment variable, keeping {@code ps} short
 *       and the command line free of anything sensitive.</li>
 *   <li>{@value #PARENT_PID_ENV} = the parent's pid, for {@link ParentWatchdog}.</li>
 *   <li>With {@link ChildSpec#defaultSignals()}: {@code env --default-signal=HUP} in front, so that
 *       the child can handle a signal this process inherited as ignored (SIGHUP under
 *       {@code nohup}).</li>
 *   <li>JVM diagnostics on standard error ({@code -XX:+DisplayVMOutputToStderr},
 *       {@code -Xlog:all=warning:stderr}) so they never mix with a protocol on standard output.</li>
 *   <li>{@code --enable-native-access=ALL-UNNAMED}, as {@code ./spindle} gives its own JVM, unless
 *       the options set native access: a child that opens a SQLite store (sqlite-jdbc loads its
 *       native library) would otherwise print the JDK's four "restricted method" warnings.</li>
 * </ul>
 */
public final class JvmLauncher {
  /** Lets the class path's code call restricted methods (native libraries) without a warning. */
  public static final String ENABLE_NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
  /** Environment variable carrying the parent's pid. */
  public static final String PARENT_PID_ENV = "SPINDLE_PARENT_PID";
  /** Environment variable carrying the child's title. */
  public static final String TITLE_ENV = "SPINDLE_PROCESS_TITLE";

  /**
   * The collector of worker-like children unless they choose one: Serial, the smallest footprint
   * and fastest start for the small heaps of one-core workers.
   */
  public static final String DEFAULT_GC = "-XX:+UseSerialGC";

  private static final Path BASH = Path.of("/bin/bash");
  private static final Path ENV = Path.of("/usr/bin/env");

  private final Clock clock;
  private final LongSupplier ticker;

  /**
   * A launcher stamping start times with the given clock and monotonic ticker (for uptimes; see
   * {@link ChildProcess#startedNanos()}).
   */
  public JvmLauncher(Clock clock, LongSupplier ticker) {
    this.clock = clock;
    this.ticker = ticker;
  }

  /** A launcher stamping start times with the given clock, and {@link System#nanoTime()} for uptimes. */
  public JvmLauncher(Clock clock) {
    this(clock, System::nanoTime);
  }

  /** A launcher on the system clock. */
  public JvmLauncher() {
    this(Clock.systemUTC());
  }

  /**
   * Starts the child. Returns once the process exists (not once the JVM is ready).
   *
   * @throws IOException if the process cannot be started
   */
  public ChildProcess start(ChildSpec spec) throws IOException {
    Process p = processBuilder(spec).start();
    return new ChildProcess(p, spec, clock.instant(), ticker.getAsLong());
  }

  /**
   * A process builder set up as {@link #start} starts a child (command line, environment,
   * redirections, directory), for callers that need the raw {@link Process} (benchmarks that kill
   * and measure their workers): every child JVM Spindle starts is launched the same way, from here.
   */
  public static ProcessBuilder processBuilder(ChildSpec spec) {
    ProcessBuilder pb = new ProcessBuilder(command(spec));
    Map<String, String> env = pb.environment();
    env.put("CLASSPATH", spec.classpath());
    env.put(PARENT_PID_ENV, Long.toString(ProcessHandle.current().pid()));
    env.put(TITLE_ENV, spec.title());
    env.putAll(spec.environment());
    pb.redirectInput(ProcessBuilder.Redirect.PIPE);
    pb.redirectOutput(spec.stdout());
    pb.redirectError(spec.stderr());
    if (spec.workingDirectory() != null) {
      pb.directory(spec.workingDirectory().toFile());
    }
    return pb;
  }

  /**
   * The options of a worker-like child: {@link #DEFAULT_GC} first unless {@code options} choose a
   * collector ({@code -XX:+Use...GC}), then {@code options}. Worker pools and the examples' child
   * JVMs use it; supervised services keep the JVM's own default.
   */
  public static List<String> withDefaultGc(List<String> options) {
    List<String> out = new ArrayList<>();
    if (options.stream().noneMatch(o -> o.startsWith("-XX:+Use") && o.endsWith("GC"))) {
      out.add(DEFAULT_GC);
    }
    out.addAll(options);
    return out;
  }

  /** The command line that {@link #start} runs. */
  public static List<String> command(ChildSpec spec) {
    List<String> cmd = new ArrayList<>();
    String java = spec.javaHome().resolve("bin").resolve("java").toString();
    if (!spec.defaultSignals().isEmpty()) {
      cmd.add(ENV.toString());
      cmd.add("--default-signal=" + String.join(",", spec.defaultSignals()));
    }
    if (Files.isExecutable(BASH)) {
      cmd.add(BASH.toString());
      cmd.add("-c");
      cmd.add("exec -a \"$0\" \"$@\"");
      cmd.add(spec.title());
    }
    cmd.add(java);
    cmd.add("-XX:+DisplayVMOutputToStderr");
    cmd.add("-Xlog:disable");
    cmd.add("-Xlog:all=warning:stderr");
    if (spec.maxHeap() != null) {
      cmd.add("-Xmx" + spec.maxHeap());
    }
    if (spec.jvmOptions().stream().noneMatch(o -> o.startsWith("--enable-native-access"))) {
      cmd.add(ENABLE_NATIVE_ACCESS);
    }
    cmd.addAll(spec.jvmOptions());
    cmd.add(spec.mainClass());
    cmd.addAll(spec.args());
    return cmd;
  }
}
