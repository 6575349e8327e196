package dev.spindle.metrics.internal;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.AttemptLedger;
import dev.spindle.queue.spi.Incident;
import dev.spindle.queue.spi.IncidentLog;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.UnroutableTask;
import dev.spindle.queue.spi.WorkerRecord;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-queue gauges read from a store's {@link JobInspector}: depth (QUEUED), scheduled, running,
 * the age of the oldest ready job, live workers, busy and free slots; and per queue and task the
 * waiting jobs no live worker of the queue knows ({@code spindle.jobs.unroutable}, {@link
 * JobInspector#unroutable}: 0 once a worker that knows the task is live); and per task the jobs whose
 * body may have run twice at once ({@code spindle.jobs.duplicates}, {@link
 * AttemptLedger#duplicatesByTask}), where the store keeps an attempts ledger; and, for a store that keeps
 * incidents, the open ones per kind and queue ({@code spindle.incidents.open}). The store is asked at most
 * once per refresh interval however often (and by however many gauges) it is scraped; between
 * refreshes the cached snapshot answers. Gauges appear as queues appear (at most {@code maxQueues}).
 * Thread-safe.
 */
public final class StoreGauges {
  private static final Logger LOG = LoggerFactory.getLogger(StoreGauges.class);

  /** One refresh's figures per queue. */
  private record QueueFigures(long ready, long scheduled, long running, double oldestSeconds, long liveWorkers,
      long busySlots, long freeSlots) {}

  private final JobInspector inspector;
  private final MeterRegistry registry;
  private final Clock clock;
  private final long refreshNanos;
  private final int maxQueues;
  private final Set<String> registered = ConcurrentHashMap.newKeySet();
  private volatile Map<String, QueueFigures> snapshot = Map.of();
  /** Waiting jobs no live worker knows, by queue and task ({@link UnroutableTask}). */
  private volatile Map<List<String>, Long> unroutable = Map.of();
  private final Set<List<String>> unroutableRegistered = ConcurrentHashMap.newKeySet();
  private final @Nullable AttemptLedger ledger;
  /** Jobs that may have run twice at once, by task ({@link AttemptLedger#duplicatesByTask}). */
  private volatile Map<String, Long> duplicates = Map.of();
  private final Set<String> duplicatesRegistered = ConcurrentHashMap.newKeySet();
  private final @Nullable IncidentLog incidents;
  /** Open incidents by kind and queue. */
  private volatile Map<List<String>, Long> openIncidents = Map.of();
  private final Set<List<String>> incidentsRegistered = ConcurrentHashMap.newKeySet();
  private volatile long refreshedAt;
  private volatile boolean refreshed;
  private long refreshes;

  /**
   * @param refresh the least time between two reads of the store
   */
  public StoreGauges(JobInspector inspector, MeterRegistry registry, Clock clock, Duration refresh, int maxQueues) {
    this(inspector, null, null, registry, clock, refresh, maxQueues);
  }

  /**
   * Gauges that also count duplicate executions per task from {@code ledger} and open incidents
   * from {@code incidents} (none of either if null).
   *
   * @param incidents the store's incidents, or {@code null} if it keeps none
   * @param refresh the least time between two reads of the store
   */
  public StoreGauges(JobInspector inspector, @Nullable AttemptLedger ledger, @Nullable IncidentLog incidents,
      MeterRegistry registry, Clock clock, Duration refresh, int maxQueues) {
    this.ledger = ledger;
    this.incidents = incidents;
    this.inspector = inspector;
    this.registry = registry;
    this.clock = clock;
    this.refreshNanos = refresh.toNanos();
    this.maxQueues = maxQueues;
  }

  /** Reads the store now and registers gauges for queues seen for the first time. */
  public void start() {
    refreshIfStale(true);
  }

  /** The number of queues in the snapshot, refreshing it if stale (a gauge that is always present). */
  public double queues() {
    refreshIfStale(false);
    return snapshot.size();
  }

  /** How many times the store was read (for tests). */
  public synchronized long refreshes() {
    return refreshes;
  }

  private QueueFigures figures(String queue) {
    refreshIfStale(false);
    QueueFigures f = snapshot.get(queue);
    return f == null ? new QueueFigures(0, 0, 0, 0, 0, 0, 0) : f;
  }

  private synchronized void refreshIfStale(boolean force) {
    long now = System.nanoTime();
    if (!force && refreshed && now - refreshedAt < refreshNanos) {
      return;
    }
    refreshed = true;
    refreshedAt = now;
    refreshes++;
    Map<String, QueueFigures> next = new HashMap<>();
    Map<List<String>, Long> nextUnroutable = new HashMap<>();
    Map<String, Long> nextDuplicates = Map.of();
    Map<List<String>, Long> nextIncidents = new HashMap<>();
    try {
      Instant at = clock.instant();
      Map<String, Instant> oldest = inspector.oldestReady();
      Map<String, long[]> workers = new HashMap<>();
      for (WorkerRecord w : inspector.workers()) {
        if (w.leaseUntil().isBefore(at) || !"RUNNING".equals(w.state())) {
          continue;
        }
        for (String q : w.queues()) {
          long[] a = workers.computeIfAbsent(q, k -> new long[3]);
          a[0]++;
          a[1] += w.running();
          a[2] += Math.max(0, w.concurrency() - w.running());
        }
      }
      for (QueueSummary s : inspector.queueSummaries()) {
        Instant o = oldest.get(s.queue());
        double age = o == null || o.isAfter(at) ? 0 : Duration.between(o, at).toNanos() / 1e9;
        long[] w = workers.getOrDefault(s.queue(), new long[3]);
        next.put(s.queue(), new QueueFigures(s.count(JobState.QUEUED), s.count(JobState.SCHEDULED),
            s.count(JobState.RUNNING), age, w[0], w[1], w[2]));
      }
      for (Map.Entry<String, long[]> e : workers.entrySet()) {
        next.putIfAbsent(e.getKey(), new QueueFigures(0, 0, 0, 0, e.getValue()[0], e.getValue()[1],
            e.getValue()[2]));
      }
      for (UnroutableTask u : inspector.unroutable(at)) {
        nextUnroutable.put(List.of(u.queue(), u.task()), u.waiting());
      }
      if (ledger != null) {
        nextDuplicates = Map.copyOf(ledger.duplicatesByTask());
      }
      if (incidents != null) {
        for (Incident i : incidents.incidents(true, 1000)) {
          nextIncidents.merge(List.of(i.kind().name(), i.queue()), 1L, Long::sum);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("reading queue figures from the store failed ({}); the gauges keep their last values", e.toString());
      return;
    }
    snapshot = Map.copyOf(next);
    unroutable = Map.copyOf(nextUnroutable);
    duplicates = nextDuplicates;
    for (String task : nextDuplicates.keySet()) {
      if (duplicatesRegistered.size() < maxQueues && duplicatesRegistered.add(task)) {
        Gauge.builder("spindle.jobs.duplicates", this, g -> g.duplicates(task))
            .description("jobs in the store whose body may have run twice at once (a lost lease, a refused write)")
            .tag("task", task).register(registry);
      }
    }
    openIncidents = Map.copyOf(nextIncidents);
    for (List<String> kq : nextIncidents.keySet()) {
      if (incidentsRegistered.size() < maxQueues && incidentsRegistered.add(kq)) {
        Gauge.builder("spindle.incidents.open", this, g -> g.openIncidents(kq))
            .description("open incidents of stall detectors (0 once resolved)").tag("kind", kq.get(0))
            .tag("queue", kq.get(1)).register(registry);
      }
    }
    for (String q : next.keySet()) {
      if (registered.size() < maxQueues && registered.add(q)) {
        register(q);
      }
    }
    for (List<String> qt : nextUnroutable.keySet()) {
      if (unroutableRegistered.size() < maxQueues && unroutableRegistered.add(qt)) {
        Gauge.builder("spindle.jobs.unroutable", this, g -> g.unroutable(qt))
            .description("waiting jobs whose task no live worker of the queue knows").tag("queue", qt.get(0))
            .tag("task", qt.get(1)).register(registry);
      }
    }
  }

  /** The waiting jobs of a queue and task ({@code queueAndTask}) no live worker knows, refreshing if stale. */
  private double unroutable(List<String> queueAndTask) {
    refreshIfStale(false);
    return unroutable.getOrDefault(queueAndTask, 0L);
  }

  /** The jobs of {@code task} that may have run twice at once, refreshing if stale. */
  private double duplicates(String task) {
    refreshIfStale(false);
    return duplicates.getOrDefault(task, 0L);
  }

  /** The open incidents of a kind and queue ({@code kindAndQueue}), refreshing if stale. */
  private double openIncidents(List<String> kindAndQueue) {
    refreshIfStale(false);
    return openIncidents.getOrDefault(kindAndQueue, 0L);
  }

  private void register(String q) {
    gauge("spindle.queue.depth", q, "jobs ready to run (QUEUED)", f -> f.ready, null);
    gauge("spindle.queue.scheduled", q, "jobs waiting for their run time or a retry (SCHEDULED)", f -> f.scheduled,
        null);
    gauge("spindle.queue.running", q, "jobs running now", f -> f.running, null);
    gauge("spindle.queue.oldest.age", q, "age of the oldest ready job, from its due time", f -> f.oldestSeconds,
        "seconds");
    gauge("spindle.workers.live", q, "workers with a live lease consuming the queue", f -> f.liveWorkers, null);
    gauge("spindle.slots.busy", q, "busy slots of the workers consuming the queue", f -> f.busySlots, null);
    gauge("spindle.slots.free", q, "free slots of the workers consuming the queue", f -> f.freeSlots, null);
  }

  private void gauge(String name, String queue, String help, java.util.function.ToDoubleFunction<QueueFigures> value,
      @Nullable String unit) {
    Gauge.Builder<StoreGauges> b = Gauge.builder(name, this, g -> value.applyAsDouble(g.figures(queue)))
        .description(help).tag("queue", queue);
    if (unit != null) {
      b.baseUnit(unit);
    }
    b.register(registry);
  }
}
