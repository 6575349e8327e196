package dev.spindle.process.internal;

import dev.spindle.RemoteTaskException;
import dev.spindle.process.supervise.ChildProcess;
import dev.spindle.process.supervise.Supervisor;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The parent's side of one worker JVM: its frame writer, the reader thread that hands answers to
 * the executor, and the jobs sent to it in order (the first is the one it is running). Mutable
 * fields are guarded by the executor's lock unless noted.
 */
final class WorkerConnection {
  final int index;
  final String name;
  final Supervisor.Slot slot;
  final ChildProcess child;
  final FrameWriter writer;
  final ClassDataSharing.Plan cds;
  final long launchedNanos;
  final LinkedHashMap<Long, Job> inFlight = new LinkedHashMap<>();
  /** Completes when the worker said ready, fails when it could not start. */
  final CompletableFuture<Void> ready = new CompletableFuture<>();
  /** Completes when the reader thread has read everything the worker wrote. */
  final CompletableFuture<Void> drained = new CompletableFuture<>();
  private final Thread reader;
  private final int maxFrameBytes;
  private final int maxInFlight;

  boolean isReady;
  boolean retiring;
  boolean stopping;
  long dispatched;
  long readyNanos;
  /** Why the pool killed it, for the WorkerLostException message; volatile as the canceller sets it. */
  volatile @Nullable String killReason;
  volatile @Nullable RemoteTaskException startupError;
  private double ewmaNanos = DispatchPolicy.UNKNOWN;

  WorkerConnection(int index, String name, Supervisor.Slot slot, ChildProcess child, ClassDataSharing.Plan cds,
      int maxFrameBytes, int maxInFlight, ProcessExecutor owner) {
    this.index = index;
    this.name = name;
    this.slot = slot;
    this.child = child;
    this.cds = cds;
    this.maxFrameBytes = maxFrameBytes;
    this.maxInFlight = maxInFlight;
    this.launchedNanos = System.nanoTime();
    this.writer = new FrameWriter(child.input(), "spindle-" + name + "-writer", e -> {
      if (child.isAlive()) {
        killReason = "writing to it failed: " + e.getMessage();
        child.kill();
      }
    });
    this.reader = new Thread(() -> readLoop(owner), "spindle-" + name + "-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void readLoop(ProcessExecutor owner) {
    DataInputStream in = new DataInputStream(new BufferedInputStream(child.output(), 1 << 16));
    try {
      while (true) {
        byte[] frame = Frames.read(in, maxFrameBytes);
        if (frame == null) {
          break;
        }
        owner.onFrame(this, frame);
      }
    } catch (IOException | RuntimeException e) {
      if (child.isAlive()) {
        killReason = "protocol error: " + e.getMessage();
        child.kill();
      }
    } finally {
      drained.complete(null);
    }
  }

  /** How many frames may be in flight now: 1 until run times are known, more for fast tasks. */
  int window() {
    return DispatchPolicy.window(ewmaNanos, maxInFlight);
  }

  void recordRuntime(long nanos) {
    ewmaNanos = DispatchPolicy.estimate(ewmaNanos, nanos);
  }

  /** Estimated run time of one frame, or -1 if unknown. */
  double ewmaNanos() {
    return ewmaNanos;
  }

  /** Ready for more work: not retiring or stopping, and not condemned (a kill is on its way). */
  boolean canTake() {
    return isReady && !retiring && !stopping && killReason == null && inFlight.size() < window();
  }

  /** The job the worker runs now (or the cancelled one it still finishes), if any. */
  @Nullable Job head() {
    return inFlight.isEmpty() ? null : inFlight.firstEntry().getValue();
  }

  /** Kills the worker, recording why; safe from any thread, takes no lock. */
  void kill(String reason) {
    if (killReason == null) {
      killReason = reason;
    }
    child.kill();
  }

  @Override
  public String toString() {
    return "'" + name + "' (pid " + child.pid() + ")";
  }
}
