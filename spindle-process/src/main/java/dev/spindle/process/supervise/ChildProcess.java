package dev.spindle.process.supervise;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * A running (or ended) child JVM started by {@link JvmLauncher}. Thread-safe.
 *
 * <p>{@link #input()} is the child's standard input (a pipe the parent holds: when the parent
 * dies the child reads end-of-file) and {@link #output()} its standard output when the spec asked
 * for a pipe. {@link #onExit()} completes with the {@link ExitStatus} once the process is gone.
 */
public final class ChildProcess {
  private final Process process;
  private final ChildSpec spec;
  private final Instant startedAt;
  private final long startedNanos;
  private final CompletableFuture<ExitStatus> exit;

  ChildProcess(Process process, ChildSpec spec, Instant startedAt, long startedNanos) {
    this.process = process;
    this.spec = spec;
    this.startedAt = startedAt;
    this.startedNanos = startedNanos;
    this.exit = process.onExit().thenApply(p -> new ExitStatus(p.exitValue()));
  }

  /** The operating-system process id. */
  public long pid() {
    return process.pid();
  }

  /** The title shown by {@code ps}. */
  public String title() {
    return spec.title();
  }

  /** The spec it was started from. */
  public ChildSpec spec() {
    return spec;
  }

  /** When it was started (from the launcher's clock), for reports; uptimes come from {@link #startedNanos()}. */
  public Instant startedAt() {
    return startedAt;
  }

  /**
   * When it was started, on the launcher's monotonic ticker ({@link System#nanoTime()} unless given):
   * its uptime is the ticker's reading now minus this, which a step of the wall clock cannot change.
   */
  public long startedNanos() {
    return startedNanos;
  }

  /** The child's standard input. */
  public OutputStream input() {
    return process.getOutputStream();
  }

  /** The child's standard output (empty unless the spec redirected it to a pipe). */
  public InputStream output() {
    return process.getInputStream();
  }

  /** Completes with the exit status once the process has ended; never fails. */
  public CompletableFuture<ExitStatus> onExit() {
    return exit;
  }

  /** True while the process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends SIGKILL. Returns at once; {@link #onExit()} completes when it is gone. */
  public void kill() {
    process.destroyForcibly();
  }

  /**
   * Sends SIGTERM (graceful termination request). Returns at once.
   *
   * <p>The pipes stay open: {@link Process#destroy()} would also close the child's standard input,
   * which a child running {@link ParentWatchdog#watchStdin} takes for its parent's death and halts
   * at once, before it could stop gracefully. The JDK closes the pipes when the process exits.
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  @Override
  public String toString() {
    return "'" + spec.title() + "' (pid " + pid() + (exit.isDone() ? ", " + exit.join() : "") + ")";
  }
}
