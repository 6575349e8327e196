package dev.spindle.examples.internal;

import dev.spindle.process.supervise.ChildProcess;
import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.ExitStatus;
import dev.spindle.process.supervise.JvmLauncher;
import dev.spindle.process.supervise.ParentWatchdog;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Starts one of the examples' {@code main} classes in a child JVM (with {@code spindle-process}'s
 * {@link JvmLauncher}: same JDK and class path, a readable title in {@code ps}), for the examples that
 * need a raw child process of their own (the process spinner, the single-carrier coroutine run)
 * rather than a pool worker. Internal: not API.
 *
 * <p>The child's stdin is a pipe the parent keeps open for the child's whole life; children call
 * {@link #exitWhenParentDies()}, so none outlives its parent, even one killed with {@code kill -9}.
 * The child's stdout goes to the given stream ({@link System#out}: inherited, otherwise copied by a
 * pump thread); stderr is inherited.
 */
public final class ChildJvm {
  private final ChildProcess process;
  private final @Nullable Thread pump;

  private ChildJvm(ChildProcess process, @Nullable Thread pump) {
    this.process = process;
    this.pump = pump;
  }

  /**
   * Starts {@code mainClass} in a new JVM titled {@code title}.
   *
   * @param jvmOptions options such as {@code -Dkey=value}
   * @param out where the child's stdout goes
   * @throws UncheckedIOException if the JVM cannot be started
   */
  public static ChildJvm start(String title, Class<?> mainClass, List<String> jvmOptions, List<String> args,
      PrintStream out) {
    Objects.requireNonNull(out, "out");
    boolean inherit = out == System.out;
    ChildSpec spec = ChildSpec.builder(title, mainClass.getName()).jvmOptions(JvmLauncher.withDefaultGc(jvmOptions))
        .args(args)
        .stdout(inherit ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.PIPE)
        .stderr(ProcessBuilder.Redirect.INHERIT).build();
    out.flush();
    ChildProcess p;
    try {
      p = new JvmLauncher().start(spec);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start child JVM '" + title + "': " + e.getMessage(), e);
    }
    @Nullable Thread pump = null;
    if (!inherit) {
      InputStream in = p.output();
      pump = Thread.ofPlatform().daemon().name("child-jvm-stdout-" + p.pid()).start(() -> copy(in, out));
    }
    return new ChildJvm(p, pump);
  }

  private static void copy(InputStream in, PrintStream out) {
    byte[] buf = new byte[4096];
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // The child is gone; what it wrote so far was copied.
    }
  }

  /** For child {@code main} methods: halt when stdin reaches end-of-file or the parent pid is gone. */
  public static void exitWhenParentDies() {
    ParentWatchdog.watchStdin(System.in);
    ParentWatchdog.startFromEnvironment();
  }

  /** The child's process id. */
  public long pid() {
    return process.pid();
  }

  /** True while the child runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits for the child to exit and for its output to be copied, then closes its stdin.
   *
   * @return the exit status
   */
  public ExitStatus waitFor() throws InterruptedException {
    ExitStatus status;
    try {
      status = process.onExit().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot observe the exit of pid " + pid() + ": " + e.getCause(), e.getCause());
    }
    if (pump != null) {
      pump.join();
    }
    closeStdin();
    return status;
  }

  /** The exit code, if the child has exited. */
  public OptionalInt exitCode() {
    return process.onExit().isDone() ? OptionalInt.of(process.onExit().join().code()) : OptionalInt.empty();
  }

  /** Kills the child and waits for it. */
  public void kill() throws InterruptedException {
    process.kill();
    waitFor();
  }

  private void closeStdin() {
    try {
      process.input().close();
    } catch (IOException e) {
      // Already gone.
    }
  }
}
