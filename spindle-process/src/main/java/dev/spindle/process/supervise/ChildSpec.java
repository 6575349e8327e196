package dev.spindle.process.supervise;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What to start as a child JVM: its title in {@code ps}, main class, arguments, JVM options, JDK
 * and classpath. Immutable; build with {@link #builder(String, String)}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link #javaHome()}</td><td>the parent's {@code java.home}: the same JDK</td></tr>
 *   <tr><td>{@link #classpath()}</td><td>the parent's {@code java.class.path}, passed in the
 *       {@code CLASSPATH} environment variable so that {@code ps} stays short</td></tr>
 *   <tr><td>{@link #stdout()}</td><td>{@link ProcessBuilder.Redirect#PIPE} (a protocol channel)</td></tr>
 *   <tr><td>{@link #stderr()}</td><td>{@link ProcessBuilder.Redirect#INHERIT}</td></tr>
 *   <tr><td>{@link #maxHeap()}</td><td>none: the JVM's default</td></tr>
 *   <tr><td>{@link #defaultSignals()}</td><td>none: the child inherits the parent's ignored signals</td></tr>
 * </table>
 *
 * <p>The child's standard input is always a pipe held by the parent: its end-of-file tells the
 * child that the parent died (see {@link ParentWatchdog}).
 */
public final class ChildSpec {
  private static final Pattern HEAP = Pattern.compile("[1-9][0-9]*[kKmMgG]?");

  private final String title;
  private final String mainClass;
  private final List<String> args;
  private final List<String> jvmOptions;
  private final Path javaHome;
  private final String classpath;
  private final Map<String, String> environment;
  private final @Nullable String maxHeap;
  private final ProcessBuilder.Redirect stdout;
  private final ProcessBuilder.Redirect stderr;
  private final @Nullable Path workingDirectory;
  private final Set<String> defaultSignals;

  private ChildSpec(Builder b) {
    this.title = b.title;
    this.mainClass = b.mainClass;
    this.args = List.copyOf(b.args);
    this.jvmOptions = List.copyOf(b.jvmOptions);
    this.javaHome = b.javaHome;
    this.classpath = b.classpath;
    this.environment = Map.copyOf(b.environment);
    this.maxHeap = b.maxHeap;
    this.stdout = b.stdout;
    this.stderr = b.stderr;
    this.workingDirectory = b.workingDirectory;
    this.defaultSignals = Set.copyOf(b.defaultSignals);
  }

  /**
   * A builder.
   *
   * @param title the process title shown by {@code ps} (argv[0]), e.g. {@code primes worker(0)}
   * @param mainClass the fully qualified class whose {@code main} the child runs
   */
  public static Builder builder(String title, String mainClass) {
    return new Builder(title, mainClass);
  }

  /** The title shown by {@code ps}. */
  public String title() {
    return title;
  }

  /** The main class. */
  public String mainClass() {
    return mainClass;
  }

  /** Program arguments. */
  public List<String> args() {
    return args;
  }

  /** JVM options, in order, before the main class. */
  public List<String> jvmOptions() {
    return jvmOptions;
  }

  /** The JDK whose {@code bin/java} runs the child. */
  public Path javaHome() {
    return javaHome;
  }

  /** The class path, passed in {@code CLASSPATH}. */
  public String classpath() {
    return classpath;
  }

  /** Extra environment variables. */
  public Map<String, String> environment() {
    return environment;
  }

  /** The {@code -Xmx} value (e.g. {@code 256m}), or null for the JVM default. */
  public @Nullable String maxHeap() {
    return maxHeap;
  }

  /** Where the child's standard output goes. */
  public ProcessBuilder.Redirect stdout() {
    return stdout;
  }

  /** Where the child's standard error goes. */
  public ProcessBuilder.Redirect stderr() {
    return stderr;
  }

  /** The working directory, or null to inherit the parent's. */
  public @Nullable Path workingDirectory() {
    return workingDirectory;
  }

  /** Signals reset to their default action in the child (names like {@code HUP}); empty for none. */
  public Set<String> defaultSignals() {
    return defaultSignals;
  }

  /** A builder holding this spec's values. */
  public Builder toBuilder() {
    Builder b = new Builder(title, mainClass).javaHome(javaHome).classpath(classpath)
        .stdout(stdout).stderr(stderr).workingDirectory(workingDirectory);
    b.args.addAll(args);
    b.jvmOptions.addAll(jvmOptions);
    b.environment.putAll(environment);
    b.maxHeap = maxHeap;
    b.defaultSignals.addAll(defaultSignals);
    return b;
  }

  @Override
  public String toString() {
    return "ChildSpec{title='" + title + "', main=" + mainClass + ", jvmOptions=" + jvmOptions + "}";
  }

  /** Validates as it goes. Not thread-safe. */
  public static final class Builder {
    private String title;
    private final String mainClass;
    private final List<String> args = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private Path javaHome = Path.of(System.getProperty("java.home"));
    private String classpath = System.getProperty("java.class.path", "");
    private final Map<String, String> environment = new LinkedHashMap<>();
    private @Nullable String maxHeap;
    private ProcessBuilder.Redirect stdout = ProcessBuilder.Redirect.PIPE;
    private ProcessBuilder.Redirect stderr = ProcessBuilder.Redirect.INHERIT;
    private @Nullable Path workingDirectory;
    private final Set<String> defaultSignals = new TreeSet<>();

    private Builder(String title, String mainClass) {
      title(title);
      Objects.requireNonNull(mainClass, "mainClass");
      if (!mainClass.matches("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}.$]*")) {
        throw new IllegalArgumentException("not a class name: '" + mainClass + "'");
      }
      this.mainClass = mainClass;
    }

    /**
     * Sets the {@code ps} title.
     *
     * @throws IllegalArgumentException if blank, over 100 characters or not printable ASCII
     */
    public Builder title(String title) {
      Objects.requireNonNull(title, "title");
      if (title.isBlank() || title.length() > 100 || !title.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("title must be 1-100 printable ASCII characters: '" + title + "'");
      }
      this.title = title;
      return this;
    }

    /** Adds program arguments. */
    public Builder args(List<String> args) {
      args.forEach(a -> this.args.add(Objects.requireNonNull(a, "arg")));
      return this;
    }

    /**
     * Adds JVM options.
     *
     * @throws IllegalArgumentException if an option does not start with '-', or sets the class
     *     path or a jar/module to run (the spec sets those)
     */
    public Builder jvmOptions(List<String> options) {
      for (String o : options) {
        Objects.requireNonNull(o, "jvm option");
        if (!o.startsWith("-")) {
          throw new IllegalArgumentException("a JVM option must start with '-': '" + o + "'");
        }
        if (o.equals("-cp") || o.equals("-classpath") || o.equals("--class-path") || o.equals("-jar")
            || o.equals("-m") || o.equals("--module")) {
          throw new IllegalArgumentException("JVM option " + o + " is not allowed: the class path and main "
              + "class are set by the spec");
        }
        jvmOptions.add(o);
      }
      return this;
    }

    /**
     * Sets the JDK.
     *
     * @throws IllegalArgumentException if {@code bin/java} is not there
     */
    public Builder javaHome(Path javaHome) {
      Objects.requireNonNull(javaHome, "javaHome");
      if (!Files.isExecutable(javaHome.resolve("bin").resolve("java"))) {
        throw new IllegalArgumentException("no executable bin/java under " + javaHome);
      }
      this.javaHome = javaHome;
      return this;
    }

    /** Sets the class path (entries separated by {@link java.io.File#pathSeparator}). */
    public Builder classpath(String classpath) {
      this.classpath = Objects.requireNonNull(classpath, "classpath");
      return this;
    }

    /** Adds an environment variable. */
    public Builder env(String name, String value) {
      environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Sets the maximum heap, as {@code -Xmx} takes it.
     *
     * @param maxHeap e.g. {@code 256m}, {@code 2g}; null for the JVM default
     * @throws IllegalArgumentException if malformed
     */
    public Builder maxHeap(@Nullable String maxHeap) {
      if (maxHeap != null && !HEAP.matcher(maxHeap).matches()) {
        throw new IllegalArgumentException("maxHeap must be a size like 256m or 2g: '" + maxHeap + "'");
      }
      this.maxHeap = maxHeap;
      return this;
    }

    /** Where standard output goes (default: a pipe). */
    public Builder stdout(ProcessBuilder.Redirect stdout) {
      this.stdout = Objects.requireNonNull(stdout, "stdout");
      return this;
    }

    /** Where standard error goes (default: the parent's). */
    public Builder stderr(ProcessBuilder.Redirect stderr) {
      this.stderr = Objects.requireNonNull(stderr, "stderr");
      return this;
    }

    /** The working directory (null: the parent's). */
    public Builder workingDirectory(@Nullable Path dir) {
      this.workingDirectory = dir;
      return this;
    }

    /**
     * Resets these signals to their default action in the child, although this process ignores
     * them: a process started under {@code nohup} ignores SIGHUP, every child inherits that, and a
     * JVM cannot take back a signal it inherited as ignored. Runs the child through
     * {@code env --default-signal} (GNU coreutils 8.31 or later).
     *
     * @param names signal names without {@code SIG}, e.g. {@code HUP}
     * @throws IllegalArgumentException if a name is not 1-8 upper-case letters or digits
     */
    public Builder defaultSignals(String... names) {
      for (String n : names) {
        if (n == null || !n.matches("[A-Z][A-Z0-9]{0,7}")) {
          throw new IllegalArgumentException("not a signal name (like HUP): '" + n + "'");
        }
        defaultSignals.add(n);
      }
      return this;
    }

    /** The immutable spec. */
    public ChildSpec build() {
      return new ChildSpec(this);
    }
  }
}
