package dev.spindle.supervisor.internal;

import dev.spindle.process.supervise.ChildProcess;
import dev.spindle.process.supervise.Supervisor;
import dev.spindle.supervisor.ManagerState;
import dev.spindle.supervisor.ManagerStatus;
import dev.spindle.supervisor.RunDirectory;
import dev.spindle.supervisor.ServiceConfig;
import dev.spindle.supervisor.ServiceListener;
import dev.spindle.supervisor.ServiceManager;
import dev.spindle.supervisor.ServiceStatus;
import dev.spindle.supervisor.Termination;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run-time of a {@code ServiceManager}: its life cycle (start, the graceful stop, the stop at
 * once, the JVM's exit), the control socket, signals, the periodic memory check and status. One
 * {@link Supervisor} per service, all on one scheduler thread. The services and their
 * reconfiguration are kept by {@link ServiceGroups}, the worker positions by
 * {@link WorkerPositions}; supervisor callbacks go through {@link GroupListener} and the control
 * socket's requests through {@link ControlHandler}. Thread-safe.
 *
 * <p>Locking: management operations (start, scale, reload, stop) are serialized by one lock. A
 * {@link WorkerRecord}'s monitor is taken for short updates only, never while calling the
 * supervisor, a child or a listener; supervisor callbacks may hold a slot's monitor when they take
 * a record's, so the order is always control lock, then slot, then record.
 */
public final class Master {
  private static final Logger LOG = LoggerFactory.getLogger(Master.class);

  private final MasterSettings s;
  private final ServiceManager facade;
  private final Clock clock;
  private final LongSupplier ticker;
  private final ScheduledExecutorService scheduler;
  private final ReentrantLock control = new ReentrantLock();
  private final WorkerPositions positions;
  private final ServiceGroups groups;
  private final AtomicBoolean finished = new AtomicBoolean();
  private final CompletableFuture<Termination> termination = new CompletableFuture<>();
  private final MasterSignals signals = new MasterSignals();
  private volatile ManagerState state = ManagerState.NEW;
  private volatile @Nullable String stopReason;
  private volatile boolean startFailed;
  private volatile @Nullable Instant startedAt;
  private volatile long startedNanos;
  private volatile @Nullable Path socket;
  private @Nullable ControlServer server;
  private @Nullable ScheduledFuture<?> memoryTask;
  private @Nullable Thread shutdownHook;

  /** A master for {@code facade} (passed to reload hooks) with validated settings. */
  public Master(MasterSettings settings, ServiceManager facade) {
    this.s = settings;
    this.facade = facade;
    this.clock = settings.clock();
    this.ticker = settings.ticker();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spindle-" + settings.name() + "-master");
      t.setDaemon(true);
      return t;
    });
    this.positions = new WorkerPositions(this, scheduler,
        () -> Objects.requireNonNull(socket, "the control socket is bound at start"));
    this.groups = new ServiceGroups(this, scheduler, positions);
  }

  /** The master's clock, for reported times. */
  Clock clock() {
    return clock;
  }

  /** The master's monotonic time source (nanoseconds), for uptimes and delays. */
  LongSupplier ticker() {
    return ticker;
  }

  /** The settings it runs with. */
  MasterSettings settings() {
    return s;
  }

  /** The worker positions of every service (hello tokens, recycling, ends). */
  WorkerPositions positions() {
    return positions;
  }

  // ------------------------------------------------------------------ life cycle

  /**
   * Opens the control socket, installs signal handlers if asked, and starts every service's workers.
   *
   * @throws IllegalStateException if already started, the socket is taken, or a service cannot start
   * @throws IllegalArgumentException if the configuration file is invalid
   */
  public void start() {
    control.lock();
    try {
      if (state != ManagerState.NEW) {
        throw new IllegalStateException("service manager '" + s.name() + "' was already started (" + state + ")");
      }
      List<ServiceConfig> initial;
      try {
        initial = s.configFile() != null ? ConfigFile.read(s.configFile()) : s.services();
        Path dir = RunDirectory.ensure(s.runDirectory());
        socket = RunDirectory.socketPath(dir, s.name());
        server = ControlServer.start(socket, new ControlHandler(this), s.name());
      } catch (IOException e) {
        failBeforeStart("cannot open the control socket in " + s.runDirectory() + ": " + e.getMessage());
        throw new IllegalStateException("service manager '" + s.name() + "': cannot open the control socket in "
            + s.runDirectory() + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        failBeforeStart(e.getMessage());
        throw e;
      }
      startedNanos = ticker.getAsLong();
      startedAt = clock.instant();
      moveTo(ManagerState.RUNNING);
      if (s.handleSignals()) {
        signals.install(this::reloadOnSignal, this::stopOnSignal);
      }
      shutdownHook = new Thread(this::onJvmExit, "spindle-" + s.name() + "-exit");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
      try {
        for (ServiceConfig c : initial) {
          groups.add(c);
        }
      } catch (RuntimeException e) {
        startFailed = true;
        LOG.error("service manager '{}' could not start: {}", s.name(), e.getMessage());
        stopNow("start failed: " + e.getMessage());
        throw new IllegalStateException("service manager '" + s.name() + "' could not start: " + e.getMessage(), e);
      }
      long every = s.memoryCheckInterval().toMillis();
      memoryTask = scheduler.scheduleWithFixedDelay(this::checkMemory, every, every, TimeUnit.MILLISECONDS);
      LOG.info("master '{}' (pid {}) runs {}; control socket {}", s.name(), ProcessHandle.current().pid(),
          groups.describe(), socket);
    } finally {
      control.unlock();
    }
  }

  private void failBeforeStart(@Nullable String why) {
    state = ManagerState.TERMINATED;
    finished.set(true);
    scheduler.shutdownNow();
    termination.complete(new Termination(Termination.START_FAILED, why, 0, clock.instant()));
  }

  /**
   * Asks every worker to stop (SIGTERM, then SIGKILL after its service's stop timeout); the
   * manager terminates once every child has exited. Idempotent.
   */
  public CompletableFuture<Termination> stop(String reason) {
    control.lock();
    try {
      if (state == ManagerState.NEW) {
        state = ManagerState.TERMINATED;
        finished.set(true);
        scheduler.shutdownNow();
        termination.complete(new Termination(Termination.CLEAN, reason, 0, clock.instant()));
        return termination;
      }
      if (state != ManagerState.RUNNING) {
        return termination;
      }
      moveTo(ManagerState.STOPPING);
      stopReason = reason;
      LOG.info("master '{}': stopping ({}): {} worker(s) to stop", s.name(), reason, positions.live());
      for (ServiceGroup g : groups.running()) {
        for (WorkerRecord r : new ArrayList<>(g.active.values())) {
          positions.stop(r);
        }
      }
    } finally {
      control.unlock();
    }
    checkFinished();
    return termination;
  }

  /** {@link #stop} and then SIGKILL to every child still running. */
  public CompletableFuture<Termination> stopNow(String reason) {
    stop(reason);
    positions.killAll(groups.all());
    return termination;
  }

  /** Completes when every child has exited. */
  public CompletableFuture<Termination> onTermination() {
    return termination;
  }

  /** The state. */
  public ManagerState state() {
    return state;
  }

  /** The control socket, or null before start. */
  public @Nullable Path socket() {
    return socket;
  }

  private void moveTo(ManagerState next) {
    if (!state.canMoveTo(next)) {
      throw new IllegalStateException("service manager '" + s.name() + "': illegal move " + state + " -> " + next);
    }
    state = next;
  }

  private void requireRunning(String what) {
    if (state != ManagerState.RUNNING) {
      throw new IllegalStateException("cannot " + what + ": service manager '" + s.name() + "' is " + state);
    }
  }

  private void checkFinished() {
    if (state == ManagerState.STOPPING && positions.live() == 0) {
      finish();
    }
  }

  private void finish() {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    if (memoryTask != null) {
      memoryTask.cancel(false);
    }
    if (server != null) {
      server.close();
    }
    signals.restore();
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down
      }
    }
    for (ServiceGroup g : groups.view()) {
      g.supervisor().close();
    }
    state = ManagerState.TERMINATED;
    int f = positions.forced();
    int code = startFailed ? Termination.START_FAILED : f > 0 ? Termination.FORCED : Termination.CLEAN;
    Termination t = new Termination(code, stopReason, f, clock.instant());
    LOG.info("master '{}' terminated: {}{}", s.name(), stopReason,
        f > 0 ? "; " + f + " worker(s) had to be killed" : "; every worker stopped in time");
    scheduler.shutdown();
    termination.complete(t);
  }

  private void onJvmExit() {
    if (finished.get()) {
      return;
    }
    // The JVM is exiting without a stop (System.exit elsewhere): do not leave children behind.
    for (ServiceGroup g : groups.all()) {
      for (WorkerRecord r : g.records()) {
        ChildProcess c = r.child();
        if (c != null) {
          c.kill();
        }
      }
    }
    if (server != null) {
      server.close();
    }
  }

  private void stopOnSignal(String signal) {
    if (state == ManagerState.RUNNING) {
      LOG.info("{} received: stopping gracefully (send it again to kill the workers at once)", signal);
      stop(signal);
    } else if (state == ManagerState.STOPPING) {
      LOG.warn("{} received again: killing every worker now", signal);
      stopNow(signal + " (twice)");
    }
  }

  private void reloadOnSignal() {
    LOG.info("SIGHUP received: reloading");
    try {
      reload();
    } catch (RuntimeException e) {
      LOG.error("reload on SIGHUP failed: {}", e.getMessage());
    }
  }

  // ------------------------------------------------------------------ scaling and reloading

  /**
   * Sets a service's worker count: starts the missing worker ids, stops the highest ones; the
   * others are untouched.
   *
   * @return the previous count
   * @throws IllegalArgumentException if there is no such service or the count is out of range
   * @throws IllegalStateException if the manager is not running or a child cannot be launched
   */
  public int scale(String service, int workers) {
    control.lock();
    try {
      requireRunning("scale service '" + service + "'");
      return groups.scale(service, workers);
    } finally {
      control.unlock();
    }
  }

  /**
   * Re-reads the configuration file (if any) and applies it, then runs the reload hook (if any).
   *
   * @return a description of each change
   * @throws IllegalArgumentException if the file is invalid (nothing was changed)
   * @throws IllegalStateException if the manager is not running or the hook failed
   */
  public List<String> reload() {
    control.lock();
    List<String> list = new ArrayList<>();
    try {
      requireRunning("reload");
      groups.collectChanges(list);
      if (s.configFile() != null) {
        groups.apply(ConfigFile.read(s.configFile()));
      }
      if (s.reloadHook() != null) {
        try {
          s.reloadHook().onReload(facade);
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException("the reload hook failed: " + e, e);
        }
      }
    } finally {
      groups.endChanges();
      control.unlock();
    }
    LOG.info("master '{}' reloaded: {}", s.name(), list.isEmpty() ? "nothing changed" : String.join("; ", list));
    emit(l -> l.reloaded(List.copyOf(list)));
    return list;
  }

  /** A position's slot ended for good (stopped, or its restart policy gave up). */
  void recordEnded(WorkerRecord r) {
    if (positions.ended(r)) {
      groups.closeIfDrained(r.group);
      checkFinished();
    }
  }

  // ------------------------------------------------------------------ memory

  private void checkMemory() {
    try {
      positions.recycleOverMemory(groups.view());
    } catch (RuntimeException e) {
      LOG.warn("memory check failed", e);
    }
  }

  // ------------------------------------------------------------------ status

  /** A snapshot of every service. */
  public ManagerStatus status() {
    long nowNanos = ticker.getAsLong();
    List<ServiceStatus> out = groups.snapshot(nowNanos);
    Instant st = startedAt;
    Duration up = st == null ? Duration.ZERO : Duration.ofNanos(nowNanos - startedNanos);
    Path sock = socket;
    return new ManagerStatus(s.name(), ProcessHandle.current().pid(), state, st, up,
        sock == null ? null : sock.toString(), out);
  }

  /** The current configuration of every service. */
  public List<ServiceConfig> services() {
    return groups.view().stream().map(g -> g.config).toList();
  }

  // ------------------------------------------------------------------ listeners

  /** Tells every service listener; a listener that throws is logged and skipped. */
  void emit(Consumer<ServiceListener> call) {
    for (ServiceListener l : s.listeners()) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("service listener {} failed", l, e);
      }
    }
  }
}
