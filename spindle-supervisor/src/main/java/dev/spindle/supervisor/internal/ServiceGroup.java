package dev.spindle.supervisor.internal;

import dev.spindle.process.supervise.Supervisor;
import dev.spindle.supervisor.ServiceConfig;
import dev.spindle.supervisor.ServiceStatus;
import dev.spindle.supervisor.WorkerState;
import dev.spindle.supervisor.WorkerStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One service at run time: its configuration, its own {@link Supervisor} (so restart back-off and
 * crash-loop detection follow the service's settings), and its worker positions. The worker
 * collections are concurrent; structural changes (adding, stopping positions) are made under the
 * master's control lock.
 */
final class ServiceGroup {
  private final String name;
  volatile ServiceConfig config;
  volatile @Nullable Supervisor supervisor;
  /** Positions that should be running, by worker id. */
  final ConcurrentSkipListMap<Integer, WorkerRecord> active = new ConcurrentSkipListMap<>();
  /** Positions asked to stop for good whose child has not exited yet. */
  final Set<WorkerRecord> leaving = ConcurrentHashMap.newKeySet();
  /** Every position whose slot is alive, by slot id (for supervisor callbacks). */
  final Map<String, WorkerRecord> bySlot = new ConcurrentHashMap<>();
  final AtomicLong restarts = new AtomicLong();
  final AtomicLong recycles = new AtomicLong();
  /** True once the service was removed or replaced: every position is stopping. */
  volatile boolean retired;

  ServiceGroup(ServiceConfig config) {
    this.name = config.name();
    this.config = config;
  }

  /** The group's supervisor: set by the master right after the group is made, before it is shared. */
  Supervisor supervisor() {
    Supervisor s = supervisor;
    if (s == null) {
      throw new IllegalStateException("service group " + name + " has no supervisor yet");
    }
    return s;
  }

  String name() {
    return name;
  }

  /** The records of positions whose slot is alive. */
  List<WorkerRecord> records() {
    return new ArrayList<>(bySlot.values());
  }

  ServiceStatus snapshot(long nowNanos, List<ServiceGroup> retiredSameName) {
    ServiceConfig c = config;
    List<WorkerStatus> ws = new ArrayList<>();
    int running = 0;
    boolean looping = false;
    for (WorkerRecord r : active.values()) {
      WorkerStatus s = r.snapshot(nowNanos);
      ws.add(s);
      if (s.state() == WorkerState.RUNNING) {
        running++;
      }
      looping |= crashLooping(r, s, c);
    }
    List<WorkerStatus> stopping = new ArrayList<>();
    for (WorkerRecord r : leaving) {
      stopping.add(r.snapshot(nowNanos));
    }
    for (ServiceGroup g : retiredSameName) {
      for (WorkerRecord r : g.bySlot.values()) {
        stopping.add(r.snapshot(nowNanos));
      }
    }
    stopping.sort(Comparator.comparingInt(WorkerStatus::workerId).thenComparingLong(WorkerStatus::pid));
    ws.addAll(stopping);
    long restartsTotal = restarts.get();
    long recyclesTotal = recycles.get();
    for (ServiceGroup g : retiredSameName) {
      restartsTotal += g.restarts.get();
      recyclesTotal += g.recycles.get();
    }
    return new ServiceStatus(name, c.serviceClass(), retired ? 0 : c.workers(), running, looping, restartsTotal,
        recyclesTotal, ws);
  }

  private static boolean crashLooping(WorkerRecord r, WorkerStatus s, ServiceConfig c) {
    Supervisor.Slot slot = r.slot;
    if (slot == null || slot.consecutiveFailures() < c.crashLoopThreshold()) {
      return false;
    }
    // A child that has stayed up for stableAfter has left the loop, even before its next exit.
    return !(s.pid() != 0 && s.uptime().compareTo(c.stableAfter()) >= 0);
  }
}
