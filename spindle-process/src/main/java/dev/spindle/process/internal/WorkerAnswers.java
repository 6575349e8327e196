package dev.spindle.process.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JsonParser;

/**
 * What the workers of a process pool say, read on each worker's reader thread: {@code ready} (it
 * takes work), {@code fatal} (why its start-up failed), an answer ({@code ok}, {@code err} or
 * {@code chunk}: the job is done, and its answer, decoded by {@link JobFrames}, completes its
 * future), {@code skipped} (a job withdrawn) and {@code bye} (the poison pill acknowledged). The
 * {@link Dispatcher} is updated under the pool's lock, futures are completed outside it, and the
 * {@link ProcessExecutor} decides what follows a change of a worker's work.
 */
final class WorkerAnswers {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessExecutor.class);

  private final ProcessExecutor owner;
  private final Protocol protocol;
  private final JobFrames frames;
  private final Dispatcher dispatcher;
  private final ReentrantLock lock;
  private final ExecutionCounters counters;

  WorkerAnswers(ProcessExecutor owner, Protocol protocol, JobFrames frames, Dispatcher dispatcher, ReentrantLock lock,
      ExecutionCounters counters) {
    this.owner = owner;
    this.protocol = protocol;
    this.frames = frames;
    this.dispatcher = dispatcher;
    this.lock = lock;
    this.counters = counters;
  }

  /**
   * Handles one frame from {@code w}.
   *
   * @throws IOException if the frame does not follow the protocol (the reader then kills the worker)
   */
  void onFrame(WorkerConnection w, byte[] frame) throws IOException {
    // Closing the parser matters: it hands the property names it learnt back to the factory.
    try (JsonParser p = protocol.open(frame)) {
      onFrame(w, p);
    }
  }

  private void onFrame(WorkerConnection w, JsonParser p) throws IOException {
    String op = Protocol.readRequiredString(p, "op");
    switch (op) {
      case Protocol.OK, Protocol.ERR, Protocol.CHUNK -> onAnswer(w, op, p);
      case Protocol.SKIPPED -> onSkipped(w, Protocol.readLong(p, "key"));
      case Protocol.READY -> onReady(w);
      case Protocol.FATAL -> {
        Protocol.expect(p, "error");
        w.startupError = protocol.readError(p);
      }
      case Protocol.BYE -> {
        LOG.debug("{} acknowledged the poison pill", w);
        w.writer.close();
      }
      default -> throw new Frames.ProtocolException("unknown op '" + op + "' from " + w);
    }
  }

  private void onReady(WorkerConnection w) {
    List<Runnable> after = new ArrayList<>(1);
    lock.lock();
    try {
      w.isReady = true;
      w.readyNanos = System.nanoTime();
      owner.workerReadyLocked();
      owner.afterChangeLocked(w, after);
    } finally {
      lock.unlock();
    }
    LOG.debug("{} ready after {} ms", w, (w.readyNanos - w.launchedNanos) / 1_000_000);
    w.ready.complete(null);
    after.forEach(Runnable::run);
  }

  private void onSkipped(WorkerConnection w, long key) {
    List<Runnable> after = new ArrayList<>(1);
    lock.lock();
    try {
      if (!dispatcher.skipped(w, key)) {
        return;
      }
      owner.afterChangeLocked(w, after);
    } finally {
      lock.unlock();
    }
    after.forEach(Runnable::run);
  }

  private void onAnswer(WorkerConnection w, String op, JsonParser p) throws IOException {
    long key = Protocol.readLong(p, "key");
    long nanos = Protocol.readLong(p, "nanos");
    Job j;
    List<Runnable> after = null;
    lock.lock();
    try {
      j = dispatcher.answered(w, key, nanos);
      if (w.retiring || owner.isShutdown() || dispatcher.hasBacklog() || w.inFlight.isEmpty()) {
        after = new ArrayList<>(1);
        owner.afterChangeLocked(w, after);
      }
    } finally {
      lock.unlock();
    }
    if (j != null) {
      deliver(w, j, op, p, nanos);
    }
    if (after != null) {
      after.forEach(Runnable::run);
    }
  }

  /**
   * Completes the job's future with its answer. The job has left its worker's in-flight jobs, so if
   * the answer cannot be decoded nothing else would complete the future: it fails here, naming the
   * worker and the decoding error, which is rethrown so the reader kills the worker.
   */
  @SuppressWarnings("unchecked")
  private void deliver(WorkerConnection w, Job j, String op, JsonParser p, long nanos) throws IOException {
    ProcessTaskFuture<Object> f = (ProcessTaskFuture<Object>) j.future;
    counters.runtime(nanos);
    JobFrames.Answer a;
    try {
      a = frames.decode(j, op, p);
    } catch (IOException | RuntimeException e) {
      counters.lost(j.size);
      // condemned before the future fails, so that work submitted on seeing it goes elsewhere
      w.kill("protocol error: malformed answer to execution " + j.key + ": " + e.getMessage());
      f.fail(new IllegalStateException("malformed answer from worker " + w + " to execution " + j.key + " of task '"
          + j.task.name() + "' (the pool kills that worker): " + e.getMessage(), e));
      throw e;
    }
    counters.ran(a.executed(), a.failed());
    Throwable error = a.error();
    if (error == null) {
      succeed(f, a.value());
    } else {
      f.fail(error);
    }
  }

  /** Completes with a task's output, which may be null whatever the task's output type. */
  @SuppressWarnings("NullAway") // the output type is unconstrained; NullAway cannot say "null of any O"
  private static void succeed(ProcessTaskFuture<Object> f, @Nullable Object value) {
    f.succeed(value);
  }
}
