package dev.spindle.supervisor.internal;

import dev.spindle.process.supervise.ChildProcess;
import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.Supervisor;
import dev.spindle.supervisor.ServiceConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker positions of every service: starts a position through its group's supervisor (each
 * child it launches gets a fresh hello token and its {@link ChildSpec}), stops one for good
 * (SIGTERM, then SIGKILL after the service's stop timeout), recycles one (a graceful stop, the
 * supervisor starting a fresh child at once), recycles those over their resident-memory limit, and
 * records a position's end. Counts the positions still live and the children that had to be
 * killed. Starting and stopping happen under the master's control lock; recycling and ends may come
 * from any thread. Thread-safe.
 */
final class WorkerPositions {
  private static final Logger LOG = LoggerFactory.getLogger(Master.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Master master;
  private final MasterSettings s;
  private final ScheduledExecutorService scheduler;
  private final Supplier<Path> socket;
  private final Map<String, WorkerRecord> tokens = new ConcurrentHashMap<>();
  private final AtomicInteger live = new AtomicInteger();
  private final AtomicInteger forced = new AtomicInteger();

  /**
   * @param socket the control socket, bound before the first position starts (children are told
   *     where it is)
   */
  WorkerPositions(Master master, ScheduledExecutorService scheduler, Supplier<Path> socket) {
    this.master = master;
    this.s = master.settings();
    this.scheduler = scheduler;
    this.socket = socket;
  }

  /** Workers' hello tokens (token -> worker), shared with the control handler. */
  Map<String, WorkerRecord> tokens() {
    return tokens;
  }

  /** Positions started and not ended yet. */
  int live() {
    return live.get();
  }

  /** Children killed because they did not stop in time (or the manager stopped at once). */
  int forced() {
    return forced.get();
  }

  /**
   * Starts worker {@code id} of a service (control lock held).
   *
   * @throws IllegalStateException if its first child cannot be launched (the position is dropped)
   */
  void start(ServiceGroup g, int id) {
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
        .env(ChildEnv.SOCKET, socket.get().toString())
        .env(ChildEnv.TOKEN, token)
        .env(ChildEnv.SERVICE, c.name())
        .env(ChildEnv.SERVICE_CLASS, c.serviceClass())
        .env(ChildEnv.WORKER_ID, Integer.toString(r.workerId));
    c.environment().forEach(b::env);
    return b.build();
  }

  /** Stops a position for good: SIGTERM now, SIGKILL after the stop timeout. */
  void stop(WorkerRecord r) {
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
      master.recordEnded(r);
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
    master.emit(l -> l.workerRecycling(r.group.name(), r.workerId, c.pid(), reason));
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

  /**
   * Records that a position's slot ended for good: takes it out of its group and of the live count.
   *
   * @return false if it had already ended
   */
  boolean ended(WorkerRecord r) {
    synchronized (r) {
      if (r.ended) {
        return false;
      }
      r.ended = true;
    }
    ServiceGroup g = r.group;
    g.bySlot.remove(r.slotId, r);
    g.active.remove(r.workerId, r);
    g.leaving.remove(r);
    live.decrementAndGet();
    return true;
  }

  /** SIGKILL to every child of these groups still running, each counted as forced. */
  void killAll(List<ServiceGroup> groups) {
    for (ServiceGroup g : groups) {
      for (WorkerRecord r : g.records()) {
        ChildProcess c = r.child();
        if (c != null && c.isAlive()) {
          forced.incrementAndGet();
          c.kill();
        }
      }
    }
  }

  /** Recycles every active worker whose resident set is over its service's limit. */
  void recycleOverMemory(List<ServiceGroup> groups) {
    for (ServiceGroup g : groups) {
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
  }
}
