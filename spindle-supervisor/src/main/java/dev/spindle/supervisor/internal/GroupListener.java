package dev.spindle.supervisor.internal;

import dev.spindle.process.supervise.ChildProcess;
import dev.spindle.process.supervise.ExitStatus;
import dev.spindle.process.supervise.Supervisor;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor's callbacks for one service group: they keep each worker's record in step with
 * its child process (started, exited, could not start, crash-looping), log what happened and tell
 * the service listeners. They run on the supervisor's scheduler thread (or inside {@code add}).
 */
final class GroupListener implements Supervisor.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(Master.class);

  private final Master master;
  private final ServiceGroup g;

  GroupListener(Master master, ServiceGroup g) {
    this.master = master;
    this.g = g;
  }

  @Override
  public void started(Supervisor.Slot slot, ChildProcess child) {
    WorkerRecord r = g.bySlot.get(slot.id());
    if (r == null) {
      return;
    }
    r.slot = slot;
    int restarts = slot.generation() - 1;
    synchronized (r) {
      r.child = child;
      r.ready = false;
      r.jobs = 0;
      r.heapAfterGc = -1;
      r.nextStartNanos = null;
      r.restarts = restarts;
      if (r.mode == WorkerRecord.Mode.RECYCLING) {
        r.moveTo(WorkerRecord.Mode.ACTIVE);
      }
    }
    if (restarts > 0) {
      g.restarts.incrementAndGet();
    }
    LOG.debug("started '{}' (pid {})", r.title, child.pid());
    master.emit(l -> l.workerStarted(g.name(), r.workerId, child.pid()));
  }

  @Override
  public void exited(Supervisor.Slot slot, ChildProcess child, ExitStatus status, boolean expected,
      Optional<Duration> restartIn) {
    WorkerRecord r = g.bySlot.get(slot.id());
    if (r == null) {
      return;
    }
    ScheduledFuture<?> timer;
    ControlServer.Connection link;
    String token;
    WorkerRecord.Mode mode;
    String reason;
    synchronized (r) {
      if (r.child == child) {
        r.child = null;
      }
      r.ready = false;
      r.lastExit = status;
      r.lastExitNote = null;
      timer = r.killTimer;
      r.killTimer = null;
      link = r.link;
      r.link = null;
      token = r.token;
      mode = r.mode;
      reason = r.recycleReason;
      r.nextStartNanos = restartIn.map(d -> master.ticker().getAsLong() + d.toNanos()).orElse(null);
      if (slot.consecutiveFailures() < g.config.crashLoopThreshold()) {
        r.crashReported = false;
      }
    }
    if (timer != null) {
      timer.cancel(false);
    }
    if (link != null) {
      link.close();
    }
    if (token != null && restartIn.isEmpty()) {
      master.positions().tokens().remove(token, r);
    }
    String next = restartIn.map(d -> d.isZero() ? "restarting it now"
        : "restarting it in " + Sizes.formatDuration(d)).orElse("not restarting it");
    if (expected) {
      LOG.debug("'{}' (pid {}) exited with {} as asked ({}); {}", r.title, child.pid(), status,
          mode == WorkerRecord.Mode.RECYCLING ? reason : "stop", next);
    } else if (restartIn.isPresent()) {
      LOG.warn("'{}' (pid {}) died: {}; {}", r.title, child.pid(), status, next);
    } else {
      LOG.error("'{}' (pid {}) died: {}; the restart policy gave up on it", r.title, child.pid(), status);
    }
    master.emit(l -> l.workerExited(g.name(), r.workerId, child.pid(), status, expected, restartIn));
    if (restartIn.isEmpty()) {
      master.recordEnded(r);
    }
  }

  @Override
  public void startFailed(Supervisor.Slot slot, Exception error, Optional<Duration> retryIn) {
    WorkerRecord r = g.bySlot.get(slot.id());
    if (r == null) {
      return;
    }
    synchronized (r) {
      r.lastExitNote = "could not launch: " + error.getMessage();
      r.nextStartNanos = retryIn.map(d -> master.ticker().getAsLong() + d.toNanos()).orElse(null);
    }
    LOG.error("could not launch '{}': {}; {}", r.title, error.getMessage(),
        retryIn.map(d -> "retrying in " + Sizes.formatDuration(d)).orElse("giving up"));
    if (retryIn.isEmpty()) {
      master.recordEnded(r);
    }
  }

  @Override
  public void crashLoop(Supervisor.Slot slot, int failures) {
    WorkerRecord r = g.bySlot.get(slot.id());
    if (r == null) {
      return;
    }
    Duration next;
    boolean first;
    ExitStatus last;
    synchronized (r) {
      next = r.nextStartNanos == null ? Duration.ZERO
          : Duration.ofNanos(r.nextStartNanos - master.ticker().getAsLong());
      if (next.isNegative()) {
        next = Duration.ZERO;
      }
      first = !r.crashReported;
      r.crashReported = true;
      last = r.lastExit;
    }
    if (first) {
      LOG.error("service '{}' worker({}) is crash-looping: {} quick deaths in a row (each within {}; last: {}); "
          + "restarts are slowed down, the next in {}", g.name(), r.workerId, failures,
          Sizes.formatDuration(g.config.stableAfter()), last, Sizes.formatDuration(next));
    }
    Duration d = next;
    master.emit(l -> l.crashLoop(g.name(), r.workerId, failures, d));
  }
}
