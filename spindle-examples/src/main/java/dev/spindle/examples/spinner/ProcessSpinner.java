package dev.spindle.examples.spinner;

import dev.spindle.examples.internal.ChildJvm;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A spinner in a child JVM (spinner_proc.py). Only the stop signal crosses the process boundary:
 * the parent ends the child's stdin, which the child's {@link SpinnerProcessMain} turns into its
 * local "done" event; the same end-of-file also stops the child if the parent dies. The child's
 * frames go to the given stream.
 *
 * <p>{@code toString}: {@code Process[name=Process-1 (spin), parent=14868, state=NEW]}, then with the
 * child's pid once started, and its exit status once terminated.
 */
public final class ProcessSpinner implements SpinnerHandle {
  private static final AtomicInteger COUNT = new AtomicInteger();

  private final String name = "Process-" + COUNT.incrementAndGet() + " (spin)";
  private final String message;
  private final Duration frameInterval;
  private final PrintStream out;
  private volatile ChildJvm child;

  /**
   * @param out where the child's frames go ({@link System#out}: straight to the terminal)
   */
  public ProcessSpinner(String message, PrintStream out, Duration frameInterval) {
    this.message = message;
    this.out = out;
    this.frameInterval = frameInterval;
  }

  @Override
  public void start() {
    if (child != null) {
      throw new IllegalStateException(name + " was already started");
    }
    child = ChildJvm.start(SpinnerProcessMain.class, List.of("-XX:TieredStopAtLevel=1"),
        List.of("--message", message, "--frame-millis", Long.toString(frameInterval.toMillis()),
            "--name", name),
        out);
  }

  @Override
  public void stop() {
    ChildJvm c = child;
    if (c != null) {
      c.closeStdin();
    }
  }

  @Override
  public void join() throws InterruptedException {
    ChildJvm c = child;
    if (c == null) {
      return;
    }
    int status = c.waitFor();
    if (status != 0) {
      throw new IllegalStateException(name + " (pid " + c.pid() + ") exited with status " + status);
    }
  }

  @Override
  public OptionalLong frames() {
    return OptionalLong.empty();
  }

  @Override
  public String toString() {
    ChildJvm c = child;
    String state;
    if (c == null) {
      state = "state=NEW";
    } else if (c.isAlive()) {
      state = "pid=" + c.pid() + ", state=RUNNING";
    } else {
      state = "pid=" + c.pid() + ", state=TERMINATED, exitcode=" + c.exitValue().orElse(-1);
    }
    return "Process[name=" + name + ", parent=" + ProcessHandle.current().pid() + ", " + state + "]";
  }
}
