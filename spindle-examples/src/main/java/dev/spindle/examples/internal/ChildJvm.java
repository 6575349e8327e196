package dev.spindle.examples.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Starts a JVM running one of the examples' {@code main} classes with this JVM's class path, for the
 * examples that need a raw child process of their own (the process spinner, the single-carrier
 * coroutine run) rather than a pool worker. Internal: not API.
 *
 * <p>The child's stdin is a pipe that the parent keeps open for the child's whole life: children
 * treat end-of-file on stdin as "the parent is gone" and exit, so none outlives its parent, even one
 * killed with {@code kill -9}. Its stdout goes to the given stream ({@link System#out}: inherited,
 * otherwise copied by a pump thread); stderr is inherited.
 */
public final class ChildJvm {
  private final Process process;
  private final Thread pump;

  private ChildJvm(Process process, Thread pump) {
    this.process = process;
    this.pump = pump;
  }

  /** The {@code java} launcher of the running JVM. */
  public static Path javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /**
   * Starts {@code mainClass} in a new JVM.
   *
   * @param jvmOptions options before the class path, e.g. {@code -Dkey=value}
   * @param out where the child's stdout goes
   * @throws UncheckedIOException if the JVM cannot be started
   */
  public static ChildJvm start(Class<?> mainClass, List<String> jvmOptions, List<String> args, PrintStream out) {
    Objects.requireNonNull(out, "out");
    List<String> cmd = new ArrayList<>();
    cmd.add(javaExecutable().toString());
    cmd.add("-Xshare:auto");
    cmd.add("-XX:+UseSerialGC");
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
        .redirectInput(ProcessBuilder.Redirect.PIPE);
    boolean inherit = out == System.out;
    pb.redirectOutput(inherit ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.PIPE);
    out.flush();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a child JVM with " + javaExecutable() + ": " + e.getMessage(), e);
    }
    Thread pump = null;
    if (!inherit) {
      InputStream in = p.getInputStream();
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

  /** The child's process id. */
  public long pid() {
    return process.pid();
  }

  /** True while the child runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The child's stdin, kept open until {@link #waitFor()} returns (closing it tells the child to exit). */
  public java.io.OutputStream stdin() {
    return process.getOutputStream();
  }

  /** Closes the child's stdin: children of this class exit when they see end-of-file. */
  public void closeStdin() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // Already gone.
    }
  }

  /**
   * Waits for the child to exit and for its output to be copied, then closes its stdin.
   *
   * @return the exit status
   */
  public int waitFor() throws InterruptedException {
    int status = process.waitFor();
    if (pump != null) {
      pump.join();
    }
    closeStdin();
    return status;
  }

  /** The exit status, if the child has exited. */
  public java.util.OptionalInt exitValue() {
    return process.isAlive() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(process.exitValue());
  }

  /** Kills the child (and waits for it). */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    waitFor();
  }

  /**
   * For child {@code main} methods: starts a daemon thread that calls {@code onEof} when stdin
   * reaches end-of-file (the parent closed it, or died).
   */
  public static void onStdinEof(Runnable onEof) {
    Thread.ofPlatform().daemon().name("parent-watch").start(() -> {
      try {
        while (System.in.read() >= 0) {
          // Ignore input; only end-of-file matters.
        }
      } catch (IOException e) {
        // Treat a broken stdin like end-of-file.
      }
      onEof.run();
    });
  }
}
