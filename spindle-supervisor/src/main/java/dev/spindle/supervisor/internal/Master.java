package dev.spindle.supervisor.internal;

import dev.spindle.process.supervise.ChildProcess;
import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.RestartPolicy;
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
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run-time of a {@code ServiceManager}: one {@link Supervisor} per service (all on one
 * scheduler thread), the control socket, signals, recycling and the graceful stop. Thread-safe.
 *
 * <p>Locking: management operations (start, scale, reload, stop) are serialized by one lock. A
 * {@link WorkerRecord}'s monitor is taken for short updates only, never while calling the
 * supervisor, a child or a listener; supervisor callbacks may hold a slot's monitor when they take
 * a record's, so the order is always control lock, then slot, then record.
 */
public final class Master {
  private static final Logger LOG = LoggerFactory.getLogger(Master.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final MasterSettings s;
  private final ServiceManager facade;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final ReentrantLock control = new ReentrantLock();
  /** Guarded by control. */
  private final LinkedHashMap<String, ServiceGroup> groups = new LinkedHashMap<>();
  private volatile List<ServiceGroup> groupView = List.of();
  private final List<ServiceGroup> retired = new CopyOnWriteArrayList<>();
  private final Map<String, WorkerRecord> tokens = new ConcurrentHashMap<>();
  private final AtomicInteger live = new AtomicInteger();
  private final AtomicInteger forced = new AtomicInteger();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final CompletableFuture<Termination> termination = new CompletableFuture<>();
  private final ThreadLocal<List<String>> changes = new ThreadLocal<>();
  private final MasterSignals signals = new MasterSignals();
  private volatile ManagerState state = ManagerState.NEW;
  private volatile @Nullable String stopReason;
  private volatile boolean startFailed;
  private volatile @Nullable Instant startedAt;
  private volatile @Nullable Path socket;
  private @Nullable ControlServer server;
  private @Nullable ScheduledFuture<?> memoryTask;
  private @Nullable Thread shutdownHook;

  /** A master for {@code facade} (passed to reload hooks) with validated settings. */
  public Master(MasterSettings settings, ServiceManager facade) {
    this.s = settings;
    this.facade = facade;
    this.clock = settings.clock();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spindle-" + settings.name() + "-master");
      t.setDaemon(true);
      return t;
    });
  }

  /** The master's clock. */
  Clock clock() {
    return clock;
  }

  /** The settings it runs with. */
  MasterSettings settings() {
    return s;
  }

  /** Workers' hello tokens (token -> worker), shared with the control handler. */
  Map<String, WorkerRecord> tokens() {
    return tokens;
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
      startedAt = clock.instant();
      moveTo(ManagerState.RUNNING);
      if (s.handleSignals()) {
        signals.install(this::reloadOnSignal, this::stopOnSignal);
      }
      shutdownHook = new Thread(this::onJvmExit, "spindle-" + s.name() + "-exit");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
      try {
        for (ServiceConfig c : initial) {
          addGroup(c);
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
          describe(groupView), socket);
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
      LOG.info("master '{}': stopping ({}): {} worker(s) to stop", s.name(), reason, live.get());
      for (ServiceGroup g : groups.values()) {
        for (WorkerRecord r : new ArrayList<>(g.active.values())) {
          stopWorker(r);
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
    List<ServiceGroup> all = new ArrayList<>(groupView);
    all.addAll(retired);
    for (ServiceGroup g : all) {
      for (WorkerRecord r : g.records()) {
        ChildProcess c = r.child();
        if (c != null && c.isAlive()) {
          forced.incrementAndGet();
          c.kill();
        }
      }
    }
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
    if (state == ManagerState.STOPPING && live.get() == 0) {
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
    for (ServiceGroup g : groupView) {
      g.supervisor().close();
    }
    state = ManagerState.TERMINATED;
    int f = forced.get();
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
    List<ServiceGroup> all = new ArrayList<>(groupView);
    all.addAll(retired);
    for (ServiceGroup g : all) {
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
      ServiceGroup g = groups.get(service);
      if (g == null) {
        throw new IllegalArgumentException("no service named '" + service + "' (services: "
            + String.join(", ", groups.keySet()) + ")");
      }
      ServiceConfig next = g.config.withWorkers(workers);
      int from = g.config.workers();
      g.config = next;
      applyCount(g);
      if (from != workers) {
        note("scaled " + service + " from " + from + " to " + workers + " workers");
        emit(l -> l.scaled(service, from, workers));
      }
      return from;
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
      changes.set(list);
      if (s.configFile() != null) {
        applyConfig(ConfigFile.read(s.configFile()));
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
      changes.remove();
      control.unlock();
    }
    LOG.info("master '{}' reloaded: {}", s.name(), list.isEmpty() ? "nothing changed" : String.join("; ", list));
    emit(l -> l.reloaded(List.copyOf(list)));
    return list;
  }

  private void applyConfig(List<ServiceConfig> fresh) {
    Map<String, ServiceConfig> running = new LinkedHashMap<>();
    groups.values().forEach(g -> running.put(g.name(), g.config));
    for (ConfigDiff.Step step : ConfigDiff.between(running, fresh)) {
      switch (step) {
        case ConfigDiff.Remove r -> {
          retireGroup(Objects.requireNonNull(groups.get(r.name()), "a removed service was running"));
          note("removed service " + r.name());
        }
        case ConfigDiff.Add add -> {
          addGroup(add.config());
          note("added service " + add.config().name() + " (" + add.config().workers() + " workers)");
        }
        case ConfigDiff.Restart r -> {
          retireGroup(Objects.requireNonNull(groups.get(r.config().name()), "a restarted service was running"));
          addGroup(r.config());
          note("restarted service " + r.config().name() + " (its definition changed; " + r.config().workers()
              + " workers)");
        }
        case ConfigDiff.Scale sc -> scale(sc.name(), sc.workers());
      }
    }
    // keep the file's order
    LinkedHashMap<String, ServiceGroup> ordered = new LinkedHashMap<>();
    for (ServiceConfig c : fresh) {
      ordered.put(c.name(), groups.get(c.name()));
    }
    groups.clear();
    groups.putAll(ordered);
    groupView = List.copyOf(groups.values());
  }

  private void note(String change) {
    List<String> l = changes.get();
    if (l != null) {
      l.add(change);
    }
    LOG.info("master '{}': {}", s.name(), change);
  }

  // Called with control held.
  private void addGroup(ServiceConfig c) {
    ServiceGroup g = new ServiceGroup(c);
    g.supervisor = Supervisor.builder(s.name() + "/" + c.name())
        .restartPolicy(RestartPolicy.backoff(c.restartDelay(), c.maxRestartDelay()))
        .stableAfter(c.stableAfter())
        .crashLoopThreshold(c.crashLoopThreshold())
        .clock(clock)
        .scheduler(scheduler)
        .listener(new GroupListener(this, g))
        .build();
    groups.put(c.name(), g);
    groupView = List.copyOf(groups.values());
    applyCount(g);
  }

  // Called with control held.
  private void retireGroup(ServiceGroup g) {
    groups.remove(g.name());
    groupView = List.copyOf(groups.values());
    g.retired = true;
    retired.add(g);
    for (WorkerRecord r : new ArrayList<>(g.active.values())) {
      stopWorker(r);
    }
    if (g.bySlot.isEmpty()) {
      retired.remove(g);
      g.supervisor().close();
    }
  }

  // Called with control held.
  private void applyCount(ServiceGroup g) {
    int desired = g.config.workers();
    for (Integer id : new ArrayList<>(g.active.descendingKeySet())) {
      WorkerRecord r = g.active.get(id);
      if (id >= desired && r != null) {
        stopWorker(r);
      }
    }
    List<String> failures = new ArrayList<>();
    for (int id = 0; id < desired; id++) {
      if (!g.active.containsKey(id)) {
        try {
          startWorker(g, id);
        } catch (IllegalStateException e) {
          failures.add(e.getMessage());
        }
      }
    }
    if (!failures.isEmpty()) {
      g.config = g.config.withWorkers(g.active.size());
      throw new IllegalStateException("service '" + g.name() + "': " + failures.size() + " worker(s) could not be "
          + "launched; it now has " + g.active.size() + ": " + failures.get(0));
    }
  }

  // Called with control held.
  private void startWorker(ServiceGroup g, int id) {
    String base = g.name() + " worker(" + id + ")";
    String slotId = base;
    for (int n = 2; g.bySlot.containsKey(slotId) || g.supervisor().slot(slotId).isPresent(); n++) {
      slotId = base + "#" + n;
    }
    WorkerRecord r = new WorkerRecord(g, id, slotId, s.programName() + ": " + base);
    g.bySlot.put(slotId, r);
    g.active.put(id, r);
    live.incrementAndGet();
    try {
      r.slot = g.supervisor().add(slotId, () -> spec(r));
    } catch (IOException | RuntimeException e) {
      g.bySlot.remove(slotId, r);
      g.active.remove(id, r);
      live.decrementAndGet();
      String token;
      synchronized (r) {
        token = r.token;
      }
      if (token != null) {
        tokens.remove(token, r);
      }
      throw new IllegalStateException("could not launch " + r.title + ": " + e.getMessage(), e);
    }
  }

  /** Builds the spec of the next child of a position (called by the supervisor at each start). */
  private ChildSpec spec(WorkerRecord r) {
    ServiceConfig c = r.group.config;
    byte[] raw = new byte[18];
    RANDOM.nextBytes(raw);
    String token = HexFormat.of().formatHex(raw);
    String old;
    synchronized (r) {
      old = r.token;
      r.token = token;
    }
    if (old != null) {
      tokens.remove(old, r);
    }
    tokens.put(token, r);
    List<String> jvm = new ArrayList<>();
    if (c.jvmOptions().stream().noneMatch(o -> o.startsWith("-XX:+Use") && o.endsWith("GC"))) {
      jvm.add("-XX:+UseSerialGC");
    }
    jvm.addAll(c.jvmOptions());
    ChildSpec.Builder b = ChildSpec.builder(r.title, ServiceMain.class.getName())
        .javaHome(s.javaHome())
        .classpath(s.classpath())
        .maxHeap(c.maxHeap())
        .jvmOptions(jvm)
        .stdout(s.childStdout())
        .stderr(s.childStderr())
        .env(ChildEnv.SOCKET, Objects.requireNonNull(socket, "the control socket is bound at start").toString())
        .env(ChildEnv.TOKEN, token)
        .env(ChildEnv.SERVICE, c.name())
        .env(ChildEnv.SERVICE_CLASS, c.serviceClass())
        .env(ChildEnv.WORKER_ID, Integer.toString(r.workerId));
    c.environment().forEach(b::env);
    return b.build();
  }

  /** Stops a position for good: SIGTERM now, SIGKILL after the stop timeout. */
  private void stopWorker(WorkerRecord r) {
    synchronized (r) {
      if (r.mode == WorkerRecord.Mode.STOPPING || r.ended) {
        return;
      }
      r.moveTo(WorkerRecord.Mode.STOPPING);
    }
    r.group.active.remove(r.workerId, r);
    r.group.leaving.add(r);
    Supervisor.Slot slot = r.slot();
    if (slot.stop()) {
      recordEnded(r);
      return;
    }
    slot.child().ifPresent(c -> terminate(r, c));
  }

  /** Replaces a position's child: it stops gracefully and the supervisor starts a fresh one at once. */
  void recycle(WorkerRecord r, String reason) {
    ChildProcess c;
    synchronized (r) {
      if (r.mode != WorkerRecord.Mode.ACTIVE || r.child == null || r.ended) {
        return;
      }
      r.moveTo(WorkerRecord.Mode.RECYCLING);
      r.recycleReason = reason;
      c = r.child;
    }
    r.slot().retire();
    r.group.recycles.incrementAndGet();
    LOG.info("recycling '{}' (pid {}): {}", r.title, c.pid(), reason);
    emit(l -> l.workerRecycling(r.group.name(), r.workerId, c.pid(), reason));
    terminate(r, c);
  }

  private void terminate(WorkerRecord r, ChildProcess c) {
    Duration timeout = r.group.config.stopTimeout();
    c.terminate();
    ScheduledFuture<?> timer;
    try {
      timer = scheduler.schedule(() -> {
        if (c.isAlive()) {
          forced.incrementAndGet();
          LOG.warn("'{}' (pid {}) did not stop within {} of SIGTERM; killing it", r.title, c.pid(),
              Sizes.formatDuration(timeout));
          c.kill();
        }
      }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // The manager finished meanwhile (its last child exited while this replacement started), so no
      // deadline can be kept: nothing may outlive the manager.
      LOG.warn("'{}' (pid {}) started as the manager finished; killing it", r.title, c.pid());
      c.kill();
      return;
    }
    ScheduledFuture<?> old;
    synchronized (r) {
      old = r.killTimer;
      r.killTimer = timer;
    }
    if (old != null) {
      old.cancel(false);
    }
  }

  void recordEnded(WorkerRecord r) {
    synchronized (r) {
      if (r.ended) {
        return;
      }
      r.ended = true;
    }
    ServiceGroup g = r.group;
    g.bySlot.remove(r.slotId, r);
    g.active.remove(r.workerId, r);
    g.leaving.remove(r);
    if (g.retired && g.bySlot.isEmpty() && retired.remove(g)) {
      g.supervisor().close();
    }
    live.decrementAndGet();
    checkFinished();
  }

  // ------------------------------------------------------------------ memory

  private void checkMemory() {
    try {
      for (ServiceGroup g : groupView) {
        long limit = g.config.maxResidentBytes();
        if (limit <= 0) {
          continue;
        }
        for (WorkerRecord r : g.active.values()) {
          ChildProcess c = r.child();
          if (c == null) {
            continue;
          }
          long rss = ProcStatus.residentBytes(c.pid());
          if (rss > limit) {
            recycle(r, "resident set " + Sizes.formatBytes(rss) + " is over the limit of " + Sizes.formatBytes(limit));
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("memory check failed", e);
    }
  }

  // ------------------------------------------------------------------ status

  /** A snapshot of every service. */
  public ManagerStatus status() {
    Instant now = clock.instant();
    List<ServiceStatus> out = new ArrayList<>();
    List<ServiceGroup> view = groupView;
    for (ServiceGroup g : view) {
      out.add(g.snapshot(now, retired.stream().filter(x -> x.name().equals(g.name())).toList()));
    }
    for (ServiceGroup g : retired) {
      if (view.stream().noneMatch(x -> x.name().equals(g.name()))) {
        out.add(g.snapshot(now, List.of()));
      }
    }
    Instant st = startedAt;
    Duration up = st == null ? Duration.ZERO : Duration.between(st, now);
    Path sock = socket;
    return new ManagerStatus(s.name(), ProcessHandle.current().pid(), state, st, up,
        sock == null ? null : sock.toString(), out);
  }

  /** The current configuration of every service. */
  public List<ServiceConfig> services() {
    return groupView.stream().map(g -> g.config).toList();
  }

  private static String describe(List<ServiceGroup> groups) {
    List<String> parts = new ArrayList<>();
    for (ServiceGroup g : groups) {
      parts.add(g.name() + " x" + g.config.workers());
    }
    return String.join(", ", parts);
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
