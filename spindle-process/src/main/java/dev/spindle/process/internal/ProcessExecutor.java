package dev.spindle.process.internal;

import dev.spindle.ExecutionLabel;
import dev.spindle.ExecutorConfig;
import dev.spindle.ExecutorStats;
import dev.spindle.MapOptions;
import dev.spindle.RejectedSubmissionException;
import dev.spindle.ResultIterator;
import dev.spindle.Task;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.UnknownTaskException;
import dev.spindle.WorkerLostException;
import dev.spindle.process.ProcessOptions;
import dev.spindle.process.ProcessPool;
import dev.spindle.process.supervise.ExitStatus;
import dev.spindle.process.supervise.Supervisor;
import dev.spindle.spi.JsonCodec;
import dev.spindle.spi.MapSupport;
import dev.spindle.spi.Outcome;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code PROCESSES} model: a pool of long-lived worker JVMs fed over pipes (see
 * {@link Protocol}), supervised by a {@link Supervisor}. Thread-safe.
 *
 * <p>Scheduling: executions wait in one backlog; each is sent to the least-loaded ready worker. A
 * worker runs one task at a time, in the order received; the pool sends work ahead to a busy
 * worker only while tasks are fast (about 1 ms of estimated work, at most
 * {@link ProcessOptions#maxInFlightPerWorker()} frames), and takes unstarted work back from a
 * worker whose task runs long when another worker is idle, so slow tasks are balanced and fast
 * ones stream. Results come back out of order, each with its job key.
 *
 * <p>Failure handling: a worker that dies fails the execution it was running with a
 * {@link WorkerLostException} naming its pid and exit status; executions sent ahead to it go back
 * to the backlog; the supervisor starts a replacement. Cancelling a running execution kills its
 * worker. Shutdown sends each worker one poison pill once its work is done and waits for the
 * acknowledgement.
 *
 * <p>Parts: {@link WorkerPool} (the worker JVMs, their start-up and stop), {@link Dispatcher} (the
 * backlog and each worker's jobs, moved by {@link DispatchPolicy}'s decisions), {@link JobFrames}
 * (the frames of work and their answers), {@link WorkerAnswers} (what workers say) and
 * {@link ExecutionCounters}. This class takes submissions, decides what follows a change of a
 * worker's work (retiring it, the shutdown's poison pills), handles worker exits and start
 * failures (a pool that cannot start workers breaks), and runs the life cycle.
 */
public final class ProcessExecutor implements ProcessPool {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessExecutor.class);

  private final ExecutorConfig config;
  private final ProcessOptions options;
  private final TaskRegistry registry;
  private final Protocol protocol;
  private final JobFrames frames;
  private final WorkerPool pool;
  private final ScheduledExecutorService scheduler;
  private final ReentrantLock lock = new ReentrantLock();
  private final Dispatcher dispatcher;
  private final AtomicLong keys = new AtomicLong();
  private final ExecutionCounters counters = new ExecutionCounters();
  private final WorkerAnswers answers;
  private final CountDownLatch terminated = new CountDownLatch(1);
  // Guarded by lock:
  private int liveSlots;
  private int startFailures;
  private @Nullable String brokenReason;
  private volatile boolean shutdown;

  /**
   * Starts the workers and waits until every one is ready.
   *
   * @throws IllegalArgumentException if the registry is not portable or the initializer is unknown
   * @throws IllegalStateException if a worker cannot start (the message says why)
   */
  public ProcessExecutor(ExecutorConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.options = config.extension(ProcessOptions.class).orElse(ProcessOptions.defaults());
    TaskRegistry reg = config.registry();
    if (reg.names().isEmpty()) {
      reg = TaskRegistry.discover();
    }
    reg.requirePortable("the PROCESSES model");
    if (options.initializerTask() != null) {
      reg.require(options.initializerTask());
    }
    this.registry = reg;
    this.protocol = new Protocol(new JsonCodec(options.maxPayloadBytes()).mapper());
    this.frames = new JobFrames(protocol, options);
    this.liveSlots = config.workers();
    this.pool = new WorkerPool(config, options, reg, frames, this);
    this.scheduler = pool.scheduler;
    this.dispatcher = new Dispatcher(pool, protocol, options, lock);
    this.answers = new WorkerAnswers(this, protocol, frames, dispatcher, lock, counters);
    try {
      pool.start();
    } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
      Throwable inner = e.getCause();
      Throwable cause = e instanceof ExecutionException && inner != null ? inner : e;
      abortStart();
      throw new IllegalStateException("process pool '" + config.name() + "' could not start its workers: "
          + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abortStart();
      throw new IllegalStateException("interrupted while starting process pool '" + config.name() + "'", e);
    }
  }

  private void abortStart() {
    shutdownNow();
    for (int i = 0; i < pool.size(); i++) {
      WorkerConnection w = pool.connection(i);
      if (w != null) {
        w.kill("the pool failed to start");
      }
    }
  }

  // ---------------------------------------------------------------- submission

  @Override
  public ExecutorConfig config() {
    return config;
  }

  @Override
  public <I, O> TaskFuture<O> submit(Task<I, O> task, I input) {
    return submit(task, input, null, 1, null);
  }

  @Override
  public <I, O> TaskFuture<O> submit(Task<I, O> task, I input, ExecutionLabel label) {
    Objects.requireNonNull(label, "label");
    return submit(task, input, label.executionId(), label.attempt(), label.traceContext());
  }

  private <I, O> TaskFuture<O> submit(Task<I, O> task, I input, @Nullable String executionId, int attempt,
      @Nullable String trace) {
    Objects.requireNonNull(task, "task");
    checkOpen();
    checkRegistered(task);
    long key = keys.incrementAndGet();
    byte[] frame = frames.run(key, task, executionId, attempt, trace, input);
    ProcessTaskFuture<O> f = new ProcessTaskFuture<>(this, Long.toString(key), task.name());
    enqueue(new Job(key, frame, 1, false, task, f));
    return f;
  }

  @Override
  public <I, O> ResultIterator<O> map(Task<I, O> task, Iterable<? extends I> inputs, MapOptions mapOptions) {
    Objects.requireNonNull(task, "task");
    checkOpen();
    checkRegistered(task);
    return MapSupport.map(task, inputs, mapOptions, MapSupport.defaultWindow(config.workers()),
        chunk -> submitChunk(task, chunk));
  }

  private <I, O> TaskFuture<List<Outcome<O>>> submitChunk(Task<I, O> task, List<I> chunk) {
    checkOpen();
    long key = keys.incrementAndGet();
    byte[] frame = frames.chunk(key, task, chunk);
    ProcessTaskFuture<List<Outcome<O>>> f = new ProcessTaskFuture<>(this, Long.toString(key), task.name());
    enqueue(new Job(key, frame, chunk.size(), true, task, f));
    return f;
  }

  private void checkOpen() {
    if (shutdown) {
      counters.rejected();
      throw new RejectedSubmissionException(RejectedSubmissionException.Reason.SHUTDOWN, rejectMessage());
    }
  }

  private String rejectMessage() {
    return brokenReason != null
        ? "process pool '" + config.name() + "' is broken: " + brokenReason
        : "process pool '" + config.name() + "' is shut down; submissions are refused";
  }

  private void checkRegistered(Task<?, ?> task) {
    if (!registry.contains(task)) {
      throw new UnknownTaskException(task.name(), "task '" + task.name() + "' is not in the registry of process pool '"
          + config.name() + "' (known: " + registry.names() + "); worker JVMs find tasks only through the "
          + "TaskCatalog classes of the registry");
    }
  }

  private void enqueue(Job j) {
    j.future.job = j;
    lock.lock();
    try {
      if (shutdown) {
        counters.rejected();
        throw new RejectedSubmissionException(RejectedSubmissionException.Reason.SHUTDOWN, rejectMessage());
      }
      int queued = dispatcher.queued();
      if (queued >= config.maxQueued()) {
        counters.rejected();
        throw new RejectedSubmissionException(RejectedSubmissionException.Reason.BACKLOG_FULL,
            "process pool '" + config.name() + "' has " + queued + " executions waiting, the limit (maxQueued "
                + config.maxQueued() + "); retry later");
      }
      dispatcher.add(j);
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- worker work changes (lock held)

  /** After a worker's work changed: stop it if retiring or shutting down, feed the others. */
  void afterChangeLocked(@Nullable WorkerConnection w, List<Runnable> after) {
    if (w != null && w.retiring && w.inFlight.isEmpty() && !w.stopping && w.isReady) {
      after.add(pool.stopLocked(w, false));
    }
    dispatcher.dispatch();
    if (shutdown) {
      finishLocked(after);
    }
    dispatcher.rebalance();
  }

  /** During shutdown: once no work is left, send each idle worker its poison pill. */
  private void finishLocked(List<Runnable> after) {
    if (!dispatcher.hasBacklog()) {
      pool.stopIdleLocked(after);
    }
  }

  // ---------------------------------------------------------------- cancellation

  /** Called by {@link ProcessTaskFuture#cancel} after the future was cancelled. */
  void cancelled(Job j) {
    List<Runnable> after = new ArrayList<>(1);
    lock.lock();
    try {
      if (!dispatcher.cancel(j)) {
        return;
      }
      counters.cancelled(j.size);
      if (shutdown) {
        finishLocked(after);
      }
    } finally {
      lock.unlock();
    }
    after.forEach(Runnable::run);
  }

  // ---------------------------------------------------------------- answers (reader threads)

  /** A frame from worker {@code w}, on its reader thread (see {@link WorkerAnswers}). */
  void onFrame(WorkerConnection w, byte[] frame) throws IOException {
    answers.onFrame(w, frame);
  }

  /** A worker said it is ready: the run of failed starts is over. */
  void workerReadyLocked() {
    startFailures = 0;
  }

  // ---------------------------------------------------------------- worker life cycle

  /** A worker JVM could not be launched; {@code slotEnded} if its slot gave up. */
  void onStartFailed(Exception error, boolean slotEnded) {
    lock.lock();
    try {
      startFailures++;
      checkBrokenLocked("could not launch a worker JVM: " + error);
    } finally {
      lock.unlock();
    }
    if (slotEnded) {
      slotGone();
    }
  }

  /** A worker exited and its reader drained; {@code slotEnded} if its slot will not restart it. */
  void onWorkerExit(WorkerConnection w, ExitStatus status, boolean slotEnded) {
    w.cds.workerExited();
    // Nothing more can be sent to it: end its writer thread (only a "bye" closed it otherwise).
    w.writer.close();
    List<Job> lost;
    List<Runnable> after = new ArrayList<>();
    @Nullable String detail;
    lock.lock();
    try {
      pool.forget(w);
      boolean wasReady = w.isReady;
      w.isReady = false;
      lost = dispatcher.workerGone(w);
      detail = w.killReason != null ? "killed by the pool because " + w.killReason
          : w.startupError != null ? "start-up failed: " + w.startupError.getMessage()
          : !wasReady && status.code() == 1 ? "the JVM did not start (a bad JVM option, or the main class "
              + WorkerMain.class.getName() + " not on the class path?); its standard error says more"
          : null;
      if (!wasReady && !w.stopping) {
        startFailures++;
        checkBrokenLocked("worker " + w + " could not start (" + status + (detail == null ? "" : "; " + detail) + ")");
      }
      if (slotEnded) {
        liveSlots--;
        if (liveSlots == 0 && !shutdown) {
          brokenReason = "every worker slot stopped (the restart policy gave up)";
          shutdown = true;
        }
      }
      afterChangeLocked(null, after);
      checkTerminatedLocked(after);
    } finally {
      lock.unlock();
    }
    if (!w.ready.isDone()) {
      w.ready.completeExceptionally(new IllegalStateException("worker " + w + " exited before it was ready: "
          + status + (detail == null ? "" : "; " + detail), w.startupError));
    }
    if (!lost.isEmpty() && !w.stopping) {
      LOG.warn("{} died with {} while running {} execution(s); replacing it", w, status, lost.size());
    }
    for (Job j : lost) {
      WorkerLostException e = new WorkerLostException(w.name, w.child.pid(), status.code(), detail);
      counters.lost(j.size);
      j.future.fail(e);
    }
    after.forEach(Runnable::run);
  }

  private void checkBrokenLocked(String why) {
    if (startFailures < options.maxStartFailures() || shutdown) {
      return;
    }
    for (int i = 0; i < pool.size(); i++) {
      WorkerConnection w = pool.connection(i);
      if (w != null && w.isReady) {
        return;
      }
    }
    brokenReason = why + " (" + startFailures + " failed starts in a row)";
    LOG.error("process pool '{}' is broken: {}", config.name(), brokenReason);
    shutdown = true;
    failBacklogLocked();
    for (int i = 0; i < pool.size(); i++) {
      Supervisor.Slot s = pool.slot(i);
      if (s != null) {
        scheduler.execute(() -> {
          if (s.stop()) {
            slotGone();
          }
        });
      }
    }
  }

  private void failBacklogLocked() {
    for (Job j : dispatcher.drainBacklog()) {
      counters.lost(j.size);
      IllegalStateException e = new IllegalStateException("process pool '" + config.name() + "' has no workers: "
          + brokenReason);
      scheduler.execute(() -> j.future.fail(e));
    }
  }

  /** A worker slot ended for good. */
  void slotGone() {
    List<Runnable> after = new ArrayList<>();
    lock.lock();
    try {
      liveSlots--;
      if (liveSlots == 0 && !shutdown) {
        brokenReason = "every worker slot stopped";
        shutdown = true;
      }
      checkTerminatedLocked(after);
    } finally {
      lock.unlock();
    }
    after.forEach(Runnable::run);
  }

  private void checkTerminatedLocked(List<Runnable> after) {
    if (!shutdown || liveSlots > 0 || terminated.getCount() == 0) {
      return;
    }
    if (dispatcher.hasBacklog()) {
      if (brokenReason == null) {
        brokenReason = "no worker is left to run them";
      }
      failBacklogLocked();
    }
    after.add(() -> {
      terminated.countDown();
      pool.supervisor.close();
      scheduler.shutdown();
    });
  }

  // ---------------------------------------------------------------- life cycle API

  @Override
  public ExecutorStats stats() {
    lock.lock();
    try {
      return counters.stats(dispatcher.queued(), dispatcher.active());
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void shutdown() {
    List<Runnable> after = new ArrayList<>();
    lock.lock();
    try {
      shutdown = true;
      finishLocked(after);
      checkTerminatedLocked(after);
    } finally {
      lock.unlock();
    }
    after.forEach(Runnable::run);
  }

  @Override
  public List<TaskFuture<?>> shutdownNow() {
    List<ProcessTaskFuture<?>> notStarted = new ArrayList<>();
    List<ProcessTaskFuture<?>> running = new ArrayList<>();
    List<WorkerConnection> busy = new ArrayList<>();
    lock.lock();
    try {
      shutdown = true;
      for (Job j : dispatcher.backlog()) {
        notStarted.add(j.future);
      }
      for (int i = 0; i < pool.size(); i++) {
        WorkerConnection w = pool.connection(i);
        if (w == null) {
          continue;
        }
        for (Job j : w.inFlight.values()) {
          if (j.state == Job.State.SENT) {
            notStarted.add(j.future);
          } else if (j.state == Job.State.RUNNING) {
            running.add(j.future);
          }
        }
        if (!w.inFlight.isEmpty()) {
          busy.add(w);
        }
      }
    } finally {
      lock.unlock();
    }
    for (int i = 0; i < pool.size(); i++) {
      Supervisor.Slot s = pool.slot(i);
      if (s != null && s.stop()) {
        slotGone();
      }
    }
    List<TaskFuture<?>> result = new ArrayList<>();
    for (ProcessTaskFuture<?> f : notStarted) {
      if (f.cancel(false)) {
        result.add(f);
      }
    }
    for (ProcessTaskFuture<?> f : running) {
      f.cancel(true);
    }
    for (WorkerConnection w : busy) {
      w.kill("the pool was shut down now");
    }
    shutdown();
    return result;
  }

  @Override
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    long ms;
    try {
      ms = timeout.toMillis();
    } catch (ArithmeticException e) {
      ms = Long.MAX_VALUE;
    }
    return terminated.await(ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return terminated.getCount() == 0;
  }

  @Override
  public long[] workerPids() {
    return pool.pids();
  }

  @Override
  public long[] workerStartupMillis() {
    long[] ms = new long[pool.size()];
    lock.lock();
    try {
      for (int i = 0; i < ms.length; i++) {
        WorkerConnection w = pool.connection(i);
        ms[i] = w == null || !w.isReady ? -1 : (w.readyNanos - w.launchedNanos) / 1_000_000;
      }
    } finally {
      lock.unlock();
    }
    return ms;
  }

  @Override
  public String toString() {
    return "ProcessExecutor[" + config.name() + ", " + pool.size() + " workers"
        + (shutdown ? ", shut down" : "") + "]";
  }
}
