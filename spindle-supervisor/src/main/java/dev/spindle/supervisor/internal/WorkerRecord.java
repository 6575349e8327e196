package dev.spindle.supervisor.internal;

import dev.spindle.process.supervise.ChildProcess;
import dev.spindle.process.supervise.ExitStatus;
import dev.spindle.process.supervise.Supervisor;
import dev.spindle.supervisor.WorkerState;
import dev.spindle.supervisor.WorkerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * The master's view of one worker position of a service (one {@link Supervisor.Slot}): the
 * current child, what it reported, and why it is stopping. Fields are guarded by this object's
 * monitor; no other lock and no call-out is taken while it is held (supervisor callbacks hold the
 * slot's monitor when they take this one).
 */
final class WorkerRecord {
  /** Why the position exists. ACTIVE → RECYCLING → ACTIVE (on restart); ACTIVE/RECYCLING → STOPPING (terminal). */
  enum Mode { ACTIVE, RECYCLING, STOPPING }

  final ServiceGroup group;
  final int workerId;
  final String slotId;
  final String title;
  volatile Supervisor.@Nullable Slot slot;

  Mode mode = Mode.ACTIVE;
  @Nullable String token;
  @Nullable ChildProcess child;
  boolean ready;
  long jobs;
  long heapAfterGc = -1;
  @Nullable ExitStatus lastExit;
  @Nullable String lastExitNote;
  int restarts;
  /** When the next child is due, on the master's ticker (nanoseconds), or null. */
  @Nullable Long nextStartNanos;
  ControlServer.@Nullable Connection link;
  @Nullable ScheduledFuture<?> killTimer;
  boolean crashReported;
  boolean ended;
  @Nullable String recycleReason;

  WorkerRecord(ServiceGroup group, int workerId, String slotId, String title) {
    this.group = group;
    this.workerId = workerId;
    this.slotId = slotId;
    this.title = title;
  }

  /** Moves to {@code next}, failing loudly on a move the table does not allow. Caller holds the monitor. */
  void moveTo(Mode next) {
    boolean ok = switch (mode) {
      case ACTIVE -> next == Mode.RECYCLING || next == Mode.STOPPING;
      case RECYCLING -> next == Mode.ACTIVE || next == Mode.STOPPING;
      case STOPPING -> false;
    };
    if (!ok) {
      throw new IllegalStateException(title + ": illegal move " + mode + " -> " + next);
    }
    mode = next;
  }

  synchronized boolean isStopping() {
    return mode == Mode.STOPPING;
  }

  /** The position's slot: set when it is added to the group's supervisor, before it is stopped or recycled. */
  Supervisor.Slot slot() {
    Supervisor.Slot s = slot;
    if (s == null) {
      throw new IllegalStateException("worker " + slotId + " has no slot yet");
    }
    return s;
  }

  synchronized @Nullable ChildProcess child() {
    return child;
  }

  /** The status now; {@code nowNanos} is the master's ticker's reading. */
  WorkerStatus snapshot(long nowNanos) {
    WorkerStatus s;
    synchronized (this) {
      s = snapshotLocked(nowNanos);
    }
    // read /proc outside the monitor
    return s.pid() == 0 ? s : new WorkerStatus(s.service(), s.workerId(), s.title(), s.state(), s.pid(), s.startedAt(),
        s.uptime(), s.restarts(), s.jobs(), ProcStatus.residentBytes(s.pid()), s.heapUsedBytes(), s.lastExit());
  }

  private WorkerStatus snapshotLocked(long nowNanos) {
    WorkerState state;
    if (mode == Mode.STOPPING) {
      state = WorkerState.STOPPING;
    } else if (mode == Mode.RECYCLING) {
      state = WorkerState.RECYCLING;
    } else if (child == null) {
      state = WorkerState.BACKOFF;
    } else if (!ready) {
      state = WorkerState.STARTING;
    } else {
      state = WorkerState.RUNNING;
    }
    long pid = child == null ? 0 : child.pid();
    Instant started = child == null ? null : child.startedAt();
    Duration uptime = child == null ? Duration.ZERO : Duration.ofNanos(nowNanos - child.startedNanos());
    if (uptime.isNegative()) {
      uptime = Duration.ZERO;
    }
    String exit = lastExit == null ? lastExitNote : lastExit + (lastExitNote == null ? "" : "; " + lastExitNote);
    return new WorkerStatus(group.name(), workerId, title, state, pid, started, uptime, restarts,
        child == null ? 0 : jobs, -1, child == null ? -1 : heapAfterGc, exit);
  }

  @Override
  public String toString() {
    return "'" + title + "'";
  }
}
