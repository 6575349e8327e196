package dev.spindle.examples.spinner;

import dev.spindle.examples.internal.ChildJvm;
import dev.spindle.process.SharedEvent;
import dev.spindle.process.supervise.ExitStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A spinner in a child JVM (spinner_proc.py). Only the "done" {@link SharedEvent} crosses the
 * process boundary (a flag in a memory-mapped file, Python's semaphore-backed
 * {@code multiprocessing.Event}); the child ({@link SpinnerProcessMain}) waits on it between frames.
 * The child also exits if its parent dies. Its frames go to the given stream; {@code ps} shows it
 * as {@code spinner Process-1 (spin)}.
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
  private final SharedEvent done = SharedEvent.create();
  private volatile @Nullable ChildJvm child;

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
    child = ChildJvm.start("spinner " + name, SpinnerProcessMain.class, List.of("-XX:TieredStopAtLevel=1"),
        List.of("--message", message, "--frame-millis", Long.toString(frameInterval.toMillis()),
            "--event", done.descriptor().path()),
        out);
  }

  @Override
  public void stop() {
    done.set();
  }

  @Override
  public void join() throws InterruptedException {
    ChildJvm c = child;
    if (c == null) {
      done.close();
      return;
    }
    ExitStatus status;
    try {
      status = c.waitFor();
    } finally {
      done.close();
    }
    if (!status.isSuccess()) {
      throw new IllegalStateException(name + " (pid " + c.pid() + ") ended with " + status);
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
      state = "pid=" + c.pid() + ", state=TERMINATED, exitcode=" + c.exitCode().orElse(-1);
    }
    return "Process[name=" + name + ", parent=" + ProcessHandle.current().pid() + ", " + state + "]";
  }
}
