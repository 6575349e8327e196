package dev.spindle.supervisor.internal;

import dev.spindle.process.supervise.RestartPolicy;
import dev.spindle.process.supervise.Supervisor;
import dev.spindle.supervisor.ServiceConfig;
import dev.spindle.supervisor.ServiceStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services a master runs and the changes that keep them in step with the configuration: adding
 * a service (with its own {@link Supervisor}), retiring one, setting a worker count, and applying a
 * re-read configuration file through {@link ConfigDiff}. Holds the groups by name in configuration
 * order, a copy of them for readers, and the groups retired by a reload whose children have not all
 * exited yet. Each change is logged and, during a reload, collected for its report.
 *
 * <p>The changes are made under the master's control lock; {@link #view}, {@link #all} and
 * {@link #snapshot} may be read from any thread.
 */
final class ServiceGroups {
  private static final Logger LOG = LoggerFactory.getLogger(Master.class);

  private final Master master;
  private final MasterSettings s;
  private final ScheduledExecutorService scheduler;
  private final WorkerPositions positions;
  /** Guarded by the control lock. */
  private final LinkedHashMap<String, ServiceGroup> groups = new LinkedHashMap<>();
  private volatile List<ServiceGroup> view = List.of();
  private final List<ServiceGroup> retired = new CopyOnWriteArrayList<>();
  private final ThreadLocal<List<String>> changes = new ThreadLocal<>();

  ServiceGroups(Master master, ScheduledExecutorService scheduler, WorkerPositions positions) {
    this.master = master;
    this.s = master.settings();
    this.scheduler = scheduler;
    this.positions = positions;
  }

  /** The running services, in configuration order. */
  List<ServiceGroup> view() {
    return view;
  }

  /** The running services and the retired ones that still have children. */
  List<ServiceGroup> all() {
    List<ServiceGroup> all = new ArrayList<>(view);
    all.addAll(retired);
    return all;
  }

  /** The running services (control lock held). */
  Iterable<ServiceGroup> running() {
    return groups.values();
  }

  /** Sends the changes made by this thread to {@code list} (besides the log) until {@link #endChanges}. */
  void collectChanges(List<String> list) {
    changes.set(list);
  }

  /** Ends {@link #collectChanges}. */
  void endChanges() {
    changes.remove();
  }

  private void note(String change) {
    List<String> l = changes.get();
    if (l != null) {
      l.add(change);
    }
    LOG.info("master '{}': {}", s.name(), change);
  }

  /**
   * Sets a service's worker count (control lock held).
   *
   * @return the previous count
   * @throws IllegalArgumentException if there is no such service or the count is out of range
   * @throws IllegalStateException if a child cannot be launched
   */
  int scale(String service, int workers) {
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
      master.emit(l -> l.scaled(service, from, workers));
    }
    return from;
  }

  /** Brings the running services to a re-read configuration (control lock held). */
  void apply(List<ServiceConfig> fresh) {
    Map<String, ServiceConfig> running = new LinkedHashMap<>();
    groups.values().forEach(g -> running.put(g.name(), g.config));
    for (ConfigDiff.Step step : ConfigDiff.between(running, fresh)) {
      switch (step) {
        case ConfigDiff.Remove r -> {
          retire(Objects.requireNonNull(groups.get(r.name()), "a removed service was running"));
          note("removed service " + r.name());
        }
        case ConfigDiff.Add add -> {
          add(add.config());
          note("added service " + add.config().name() + " (" + add.config().workers() + " workers)");
        }
        case ConfigDiff.Restart r -> {
          retire(Objects.requireNonNull(groups.get(r.config().name()), "a restarted service was running"));
          add(r.config());
          note("restarted service " + r.config().name() + " (its definition changed; " + r.config().workers()
              + " workers)");
        }
        case ConfigDiff.Scale sc -> master.scale(sc.name(), sc.workers());
      }
    }
    // keep the file's order
    LinkedHashMap<String, ServiceGroup> ordered = new LinkedHashMap<>();
    for (ServiceConfig c : fresh) {
      ordered.put(c.name(), groups.get(c.name()));
    }
    groups.clear();
    groups.putAll(ordered);
    view = List.copyOf(groups.values());
  }

  /** Adds a service and starts its workers (control lock held). */
  void add(ServiceConfig c) {
    ServiceGroup g = new ServiceGroup(c);
    g.supervisor = Supervisor.builder(s.name() + "/" + c.name())
        .restartPolicy(RestartPolicy.backoff(c.restartDelay(), c.maxRestartDelay()))
        .stableAfter(c.stableAfter())
        .crashLoopThreshold(c.crashLoopThreshold())
        .clock(master.clock())
        .ticker(master.ticker())
        .scheduler(scheduler)
        .listener(new GroupListener(master, g))
        .build();
    groups.put(c.name(), g);
    view = List.copyOf(groups.values());
    applyCount(g);
  }

  // Called with control held.
  private void retire(ServiceGroup g) {
    groups.remove(g.name());
    view = List.copyOf(groups.values());
    g.retired = true;
    retired.add(g);
    for (WorkerRecord r : new ArrayList<>(g.active.values())) {
      positions.stop(r);
    }
    if (g.bySlot.isEmpty()) {
      retired.remove(g);
      g.supervisor().close();
    }
  }

  /** After one of its positions ended: closes a retired group's supervisor once it has no children. */
  void closeIfDrained(ServiceGroup g) {
    if (g.retired && g.bySlot.isEmpty() && retired.remove(g)) {
      g.supervisor().close();
    }
  }

  // Called with control held.
  private void applyCount(ServiceGroup g) {
    int desired = g.config.workers();
    for (Integer id : new ArrayList<>(g.active.descendingKeySet())) {
      WorkerRecord r = g.active.get(id);
      if (id >= desired && r != null) {
        positions.stop(r);
      }
    }
    List<String> failures = new ArrayList<>();
    for (int id = 0; id < desired; id++) {
      if (!g.active.containsKey(id)) {
        try {
          positions.start(g, id);
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

  /** The status of every running service, then of each retired one whose name is gone. */
  List<ServiceStatus> snapshot(long nowNanos) {
    List<ServiceStatus> out = new ArrayList<>();
    List<ServiceGroup> current = view;
    for (ServiceGroup g : current) {
      out.add(g.snapshot(nowNanos, retired.stream().filter(x -> x.name().equals(g.name())).toList()));
    }
    for (ServiceGroup g : retired) {
      if (current.stream().noneMatch(x -> x.name().equals(g.name()))) {
        out.add(g.snapshot(nowNanos, List.of()));
      }
    }
    return out;
  }

  /** "name xN, ..." for the log. */
  String describe() {
    List<String> parts = new ArrayList<>();
    for (ServiceGroup g : view) {
      parts.add(g.name() + " x" + g.config.workers());
    }
    return String.join(", ", parts);
  }
}
