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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntUnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JsonParser;

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
  private final IntUnaryOperator load;
  private final byte[] stopFrame;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Job> backlog = new ArrayDeque<>();
  private final AtomicLong keys = new AtomicLong();
  private final LongAdder executed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder runtimeNanos = new LongAdder();
  private final CountDownLatch terminated = new CountDownLatch(1);
  // Guarded by lock:
  private int queued;
  private int active;
  private int liveSlots;
  private int startFailures;
  private int reclaims;
  private int rr;
  private boolean rebalanceScheduled;
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
    this.stopFrame = protocol.simple(Protocol.STOP, null);
    this.liveSlots = config.workers();
    this.pool = new WorkerPool(config, options, reg, frames, this);
    this.scheduler = pool.scheduler;
    this.load = i -> {
      WorkerConnection w = pool.connection(i);
      return w != null && w.canTake() ? w.inFlight.size() : -1;
    };
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
      rejected.increment();
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
        rejected.increment();
        throw new RejectedSubmissionException(RejectedSubmissionException.Reason.SHUTDOWN, rejectMessage());
      }
      if (queued >= config.maxQueued()) {
        rejected.increment();
        throw new RejectedSubmissionException(RejectedSubmissionException.Reason.BACKLOG_FULL,
            "process pool '" + config.name() + "' has " + queued + " executions waiting, the limit (maxQueued "
                + config.maxQueued() + "); retry later");
      }
      queued++;
      backlog.addLast(j);
      dispatchLocked();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- scheduling (lock held)

  private void dispatchLocked() {
    while (!backlog.isEmpty()) {
      int i = DispatchPolicy.pick(pool.size(), rr, load);
      if (i < 0) {
        return;
      }
      WorkerConnection best = Objects.requireNonNull(pool.connection(i), "a worker that can take work");
      rr++;
      Job j = backlog.pollFirst();
      if (j.future.isDone()) {
        continue; // cancelled a moment ago; its cancel hook does the accounting
      }
      sendLocked(best, j);
    }
  }

  private void sendLocked(WorkerConnection w, Job j) {
    j.worker = w;
    w.inFlight.put(j.key, j);
    w.writer.send(Objects.requireNonNull(j.frame, "frame of a job not done"));
    w.dispatched += j.size;
    if (w.inFlight.size() == 1) {
      startLocked(w, j);
    } else {
      j.moveTo(Job.State.SENT);
    }
    if (options.maxTasksPerChild() > 0 && w.dispatched >= options.maxTasksPerChild()) {
      w.retiring = true;
    }
  }

  private void startLocked(WorkerConnection w, Job j) {
    j.moveTo(Job.State.RUNNING);
    queued--;
    active++;
    j.startedNanos = System.nanoTime();
    if (!j.future.tryStart(() -> w.kill("execution " + j.key + " of task '" + j.task.name() + "' was cancelled"))) {
      j.startRefused = true;
    }
  }

  private void promoteLocked(WorkerConnection w) {
    Job h = w.head();
    if (h != null && h.state == Job.State.SENT && !h.reclaiming) {
      startLocked(w, h);
    }
  }

  /** After a worker's work changed: stop it if retiring or shutting down, feed the others. */
  private void afterChangeLocked(@Nullable WorkerConnection w, List<Runnable> after) {
    if (w != null && w.retiring && w.inFlight.isEmpty() && !w.stopping && w.isReady) {
      stopWorkerLocked(w, false, after);
    }
    dispatchLocked();
    if (shutdown) {
      finishLocked(after);
    }
    rebalanceLocked();
  }

  private void stopWorkerLocked(WorkerConnection w, boolean forGood, List<Runnable> after) {
    w.stopping = true;
    after.add(() -> {
      if (forGood) {
        if (w.slot.stop()) {
          slotGone();
        }
      } else {
        w.slot.retire();
      }
      w.writer.send(stopFrame);
      long ms = options.stopTimeout().toMillis();
      scheduler.schedule(() -> {
        if (w.child.isAlive()) {
          LOG.warn("{} did not exit within {} ms of the poison pill; killing it", w, ms);
          w.kill("it did not acknowledge the poison pill within " + ms + " ms");
        }
      }, ms, TimeUnit.MILLISECONDS);
    });
  }

  /** During shutdown: once no work is left, send each idle worker its poison pill. */
  private void finishLocked(List<Runnable> after) {
    if (!backlog.isEmpty()) {
      return;
    }
    for (int i = 0; i < pool.size(); i++) {
      WorkerConnection w = pool.connection(i);
      if (w != null && w.isReady && !w.stopping && w.inFlight.isEmpty()) {
        stopWorkerLocked(w, true, after);
      } else if (w == null || (!w.isReady && !w.stopping)) {
        Supervisor.Slot s = pool.slot(i);
        if (s != null && s.state() == Supervisor.Slot.State.WAITING) {
          after.add(() -> {
            if (s.stop()) {
              slotGone();
            }
          });
        }
      }
    }
  }

  /** Takes unstarted work back from a worker stuck on a long task when another worker is idle. */
  private void rebalanceLocked() {
    if (!backlog.isEmpty()) {
      return;
    }
    int idle = 0;
    for (int i = 0; i < pool.size(); i++) {
      WorkerConnection w = pool.connection(i);
      if (w != null && w.isReady && !w.retiring && !w.stopping && w.inFlight.isEmpty()) {
        idle++;
      }
    }
    if (!DispatchPolicy.wantsReclaim(idle, reclaims)) {
      return;
    }
    long now = System.nanoTime();
    long soonest = Long.MAX_VALUE;
    while (DispatchPolicy.wantsReclaim(idle, reclaims)) {
      WorkerConnection victim = null;
      Job pick = null;
      for (int i = 0; i < pool.size(); i++) {
        WorkerConnection w = pool.connection(i);
        if (w == null || w.inFlight.size() < 2) {
          continue;
        }
        Job head = Objects.requireNonNull(w.head(), "head of a worker with work in flight");
        long wait = DispatchPolicy.reclaimIn(now - head.startedNanos, w.ewmaNanos());
        if (head.state != Job.State.RUNNING || wait > 0) {
          if (head.state == Job.State.RUNNING) {
            soonest = Math.min(soonest, wait);
          }
          continue;
        }
        Job last = null;
        for (Job j : w.inFlight.values()) {
          if (j.state == Job.State.SENT && !j.reclaiming) {
            last = j;
          }
        }
        if (last != null) {
          victim = w;
          pick = last;
          break;
        }
      }
      if (pick == null) {
        break;
      }
      pick.reclaiming = true;
      reclaims++;
      Objects.requireNonNull(victim, "victim").writer.send(protocol.simple(Protocol.SKIP, pick.key));
    }
    if (DispatchPolicy.wantsReclaim(idle, reclaims) && soonest != Long.MAX_VALUE && !rebalanceScheduled) {
      rebalanceScheduled = true;
      scheduler.schedule(() -> {
        lock.lock();
        try {
          rebalanceScheduled = false;
          rebalanceLocked();
        } finally {
          lock.unlock();
        }
      }, soonest + 100_000, TimeUnit.NANOSECONDS);
    }
  }

  // ---------------------------------------------------------------- cancellation

  /** Called by {@link ProcessTaskFuture#cancel} after the future was cancelled. */
  void cancelled(Job j) {
    List<Runnable> after = new ArrayList<>(1);
    lock.lock();
    try {
      switch (j.state) {
        case QUEUED -> {
          j.moveTo(Job.State.DONE);
          queued--;
          backlog.remove(j);
        }
        case SENT -> {
          j.moveTo(Job.State.DONE);
          queued--;
          j.sentTo().writer.send(protocol.simple(Protocol.SKIP, j.key));
        }
        case RUNNING -> {
          j.moveTo(Job.State.DONE);
          active--;
          if (j.startRefused) {
            j.sentTo().writer.send(protocol.simple(Protocol.SKIP, j.key));
          } else if (j.future.isCancelled()) {
            WorkerConnection w = j.sentTo();
            if (w.head() == j && j.future.interruptRequested) {
              w.kill("execution " + j.key + " of task '" + j.task.name() + "' was cancelled");
            }
          }
        }
        case DONE -> {
          return;
        }
        default -> throw new IllegalStateException(j.toString());
      }
      cancelled.add(j.size);
      if (shutdown) {
        finishLocked(after);
      }
    } finally {
      lock.unlock();
    }
    after.forEach(Runnable::run);
  }

  // ---------------------------------------------------------------- answers (reader threads)

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
      startFailures = 0;
      afterChangeLocked(w, after);
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
      Job j = w.inFlight.remove(key);
      if (j == null) {
        return;
      }
      if (j.reclaiming) {
        reclaims--;
        j.reclaiming = false;
      }
      if (j.state == Job.State.SENT) {
        j.moveTo(Job.State.QUEUED);
        j.worker = null;
        backlog.addFirst(j);
      }
      promoteLocked(w);
      afterChangeLocked(w, after);
    } finally {
      lock.unlock();
    }
    after.forEach(Runnable::run);
  }

  private void onAnswer(WorkerConnection w, String op, JsonParser p) throws IOException {
    long key = Protocol.readLong(p, "key");
    long nanos = Protocol.readLong(p, "nanos");
    Job j;
    boolean deliver = false;
    List<Runnable> after = null;
    lock.lock();
    try {
      j = w.inFlight.remove(key);
      if (j == null) {
        throw new Frames.ProtocolException("answer for unknown job " + key);
      }
      if (j.reclaiming) {
        reclaims--;
        j.reclaiming = false;
      }
      w.recordRuntime(nanos);
      if (j.state == Job.State.SENT) {
        startLocked(w, j);
      }
      if (j.state == Job.State.RUNNING) {
        j.moveTo(Job.State.DONE);
        active--;
        deliver = !j.future.isDone();
      }
      promoteLocked(w);
      if (w.retiring || shutdown || !backlog.isEmpty() || w.inFlight.isEmpty()) {
        after = new ArrayList<>(1);
        afterChangeLocked(w, after);
      }
    } finally {
      lock.unlock();
    }
    if (deliver) {
      deliver(j, op, p, nanos);
    }
    if (after != null) {
      after.forEach(Runnable::run);
    }
  }

  @SuppressWarnings("unchecked")
  private void deliver(Job j, String op, JsonParser p, long nanos) throws IOException {
    ProcessTaskFuture<Object> f = (ProcessTaskFuture<Object>) j.future;
    runtimeNanos.add(nanos);
    JobFrames.Answer a = frames.decode(j, op, p);
    executed.add(a.executed());
    failed.add(a.failed());
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
    List<Job> lost = new ArrayList<>();
    List<Runnable> after = new ArrayList<>();
    @Nullable String detail;
    lock.lock();
    try {
      pool.forget(w);
      boolean wasReady = w.isReady;
      w.isReady = false;
      List<Job> requeue = new ArrayList<>();
      for (Job j : w.inFlight.values()) {
        if (j.reclaiming) {
          reclaims--;
          j.reclaiming = false;
        }
        switch (j.state) {
          case RUNNING -> {
            j.moveTo(Job.State.DONE);
            active--;
            if (!j.future.isDone()) {
              lost.add(j);
            }
          }
          case SENT -> {
            j.moveTo(Job.State.QUEUED);
            j.worker = null;
            requeue.add(j);
          }
          default -> { }
        }
      }
      w.inFlight.clear();
      for (int i = requeue.size() - 1; i >= 0; i--) {
        backlog.addFirst(requeue.get(i));
      }
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
      executed.add(j.size);
      failed.add(j.size);
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
    List<Job> dead = new ArrayList<>(backlog);
    backlog.clear();
    for (Job j : dead) {
      j.moveTo(Job.State.DONE);
      queued--;
      executed.add(j.size);
      failed.add(j.size);
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
    if (!backlog.isEmpty()) {
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
      return new ExecutorStats(executed.sum(), failed.sum(), cancelled.sum(), rejected.sum(),
          Duration.ofNanos(runtimeNanos.sum()), queued, active);
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
      for (Job j : backlog) {
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
