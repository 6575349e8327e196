package dev.spindle.web.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.LiveView;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.WorkerRecord;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One shared view of the store, refreshed at most once per tick however many pages, API clients and
 * Server-Sent-Events viewers ask: a refresh is one store call ({@link
 * dev.spindle.queue.spi.StoreAdmin#liveView}) that reads the workers, the paused queues, the feed of
 * finished jobs, the last hour's per-minute statistics, and - every tick while cheap, else at most
 * 5 % of the time - the per-queue counts and the oldest waiting job;
 * each tick with viewers connected sends them a {@code stats} event and, if jobs finished since the
 * last tick, one {@code jobs} event listing them (at most 1,000 a tick, built once for every viewer).
 * A {@code stats} event carries the totals and only the queues that changed since the last event,
 * at most {@link #MAX_EVENT_QUEUES}, so its size does not grow with the number of queues.
 * The ticks, the counts' interval and the throughput's are measured on the monotonic clock ({@link
 * System#nanoTime()}), so a step of the wall clock (an NTP correction, a VM restored from a snapshot)
 * neither freezes the view nor makes it read the store at every request; on the dashboard's clock,
 * a step back by an hour served a snapshot up to an hour old. The times shown ({@link Snapshot#at()},
 * {@link Snapshot#countsAt()}) are on the dashboard's clock. Thread-safe.
 */
public final class LiveStats implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveStats.class);
  private static final int FEED_BATCH = 1000;
  private static final int COST_FACTOR = 20;
  /**
   * Most queues one {@code stats} event carries, so that its size does not grow with the number of
   * queues (with 10,000 queues a full list was 1.77 MB per viewer per tick).
   */
  public static final int MAX_EVENT_QUEUES = 100;

  /**
   * The view at one instant.
   *
   * @param at when it was read
   * @param countsAt when the per-queue counts were read (they may be older than the rest)
   * @param store the store's description
   * @param queues per-queue counts
   * @param paused paused queue names
   * @param workers registered workers
   * @param finishCursor the store's finish sequence number
   * @param throughput jobs finished per second since the previous refresh
   * @param finished jobs finished since the previous refresh (at most one batch)
   * @param overview the statistics of the last hour kept in the store, or {@code null} if the store
   *     keeps none
   */
  public record Snapshot(Instant at, Instant countsAt, String store, List<QueueSummary> queues, Set<String> paused,
      List<WorkerRecord> workers, long finishCursor, double throughput, List<JobInfo> finished,
      @Nullable Overview overview) {
    /** Totals per state over all queues. */
    public long total(JobState s) {
      return queues.stream().mapToLong(q -> q.count(s)).sum();
    }

    /** Live workers (lease not expired). */
    public long aliveWorkers() {
      return workers.stream().filter(w -> w.isAlive(at)).count();
    }

    /** The JSON form of {@code /api/v1/status}: the summary and every queue. */
    public ObjectNode toJson() {
      ObjectNode o = summaryJson();
      ArrayNode qs = o.putArray("queues");
      queues.forEach(q -> qs.add(Json.queue(q, paused.contains(q.queue()))));
      return o;
    }

    /** Everything but the queues: totals, throughput, workers, the feed's cursor and the overview. */
    ObjectNode summaryJson() {
      ObjectNode o = Json.object();
      o.put("at", at.toString());
      o.put("countsAt", countsAt.toString());
      o.put("store", store);
      ObjectNode totals = o.putObject("totals");
      for (JobState s : JobState.values()) {
        totals.put(s.name(), total(s));
      }
      o.put("throughputPerSecond", Math.round(throughput * 10) / 10.0);
      o.put("workersAlive", aliveWorkers());
      o.put("workersRegistered", workers.size());
      o.put("workerRatePerSecond", Math.round(workers.stream().filter(w -> w.isAlive(at))
          .mapToDouble(WorkerRecord::ratePerSecond).sum() * 10) / 10.0);
      o.put("finishCursor", finishCursor);
      if (overview != null) {
        o.set("overview", overview.toJson());
      }
      return o;
    }
  }

  /** The overview's window: the last hour. */
  static final Duration WINDOW = Duration.ofHours(1);

  private final QueueService service;
  private final dev.spindle.queue.spi.@Nullable JobStatistics stats;
  private final Duration tick;
  private final long tickNanos;
  private final List<SseClient> clients = new CopyOnWriteArrayList<>();
  private final AtomicLong refreshes = new AtomicLong();
  private final ScheduledExecutorService timer;
  private final java.util.concurrent.atomic.AtomicBoolean refreshing = new java.util.concurrent.atomic.AtomicBoolean();
  private final List<JobInfo> pending = new java.util.ArrayList<>();
  private volatile @Nullable Snapshot last;
  /** When {@link #last} was read, on the monotonic clock (ns). */
  private volatile long lastNanos;
  /** When the per-queue counts were last read, on the monotonic clock (ns). */
  private volatile long countsReadNanos;
  /** How long the last read of the per-queue counts took (ns). */
  private volatile long countsNanos;
  private volatile java.util.concurrent.@Nullable ScheduledFuture<?> ticks;
  private volatile boolean stale = true;
  /** Per queue, the JSON last sent to the viewers, and the tick it was sent at (the ticks' thread only). */
  private final Map<String, SentQueue> sent = new HashMap<>();
  private long ticksSent;

  private record SentQueue(ObjectNode json, long tick) {}

  /** A view refreshed at most every {@code tick}. */
  public LiveStats(QueueService service, Duration tick) {
    this.service = service;
    this.stats = service.statistics();
    this.tick = tick;
    this.tickNanos = tick.toNanos();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spindle-web-live");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts the ticks. */
  public void start() {
    long ms = tick.toMillis();
    // with a fixed delay, a read slower than a tick is never followed at once by the next one
    ticks = timer.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** How many times the store was read for a snapshot so far. */
  public long refreshes() {
    return refreshes.get();
  }

  /** Connected SSE viewers. */
  public int viewers() {
    return clients.size();
  }

  /**
   * The last snapshot, without waiting for the store: one older than a tick is refreshed in the
   * background (one read at a time however many requests ask), so a slow count over a million jobs
   * never makes a page wait. The first call, and the first after a change made through this
   * dashboard, read the store at once.
   */
  public Snapshot snapshot() {
    Snapshot s = last;
    if (s == null || stale) {
      return refresh(false);
    }
    if (System.nanoTime() - lastNanos >= tickNanos && refreshing.compareAndSet(false, true)) {
      try {
        timer.execute(() -> {
          try {
            refresh(false);
          } catch (RuntimeException e) {
            LOG.warn("dashboard refresh failed: {}", e.toString());
          } finally {
            refreshing.set(false);
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        refreshing.set(false); // closed
      }
    }
    return s;
  }

  /** Like {@link #snapshot()}; re-reads at once after a change made through this dashboard. */
  public Snapshot fresh() {
    return snapshot();
  }

  /**
   * How often the per-queue counts are re-read: every tick while that is cheap, else at most 5 % of
   * the time (20 times the last read's duration), so a count over a million rows taking 1 s runs
   * every 20 s, not every second.
   */
  Duration countsInterval() {
    Duration cost = Duration.ofNanos(countsNanos * COST_FACTOR);
    return cost.compareTo(tick) > 0 ? cost : tick;
  }

  /** Marks the snapshot out of date (after a change made here). */
  public void invalidate() {
    stale = true;
  }

  /** Reads the store once, unless another thread just did (and {@code force} is false). */
  synchronized Snapshot refresh(boolean force) {
    Snapshot prev = last;
    Instant now = service.clock().instant();
    long nanos = System.nanoTime();
    if (!force && prev != null && !stale && nanos - lastNanos < tickNanos) {
      return prev; // another thread refreshed while this one waited
    }
    boolean countsDue = prev == null || stale || nanos - countsReadNanos >= countsInterval().toNanos();
    stale = false;
    refreshes.incrementAndGet();
    // one store call: everything below in one read transaction (SQLite) or round trip (Redis)
    long t0 = System.nanoTime();
    LiveView v = service.admin().liveView(new LiveView.Request(prev == null ? -1 : prev.finishCursor(),
        FEED_BATCH, now.minus(WINDOW), now, countsDue));
    List<QueueSummary> queues;
    Instant countsAt;
    if (countsDue || prev == null) {
      countsNanos = System.nanoTime() - t0;
      countsReadNanos = nanos;
      queues = Objects.requireNonNull(v.queues(), "the counts were asked for");
      countsAt = now;
    } else {
      queues = prev.queues(); // not due: an earlier snapshot exists
      countsAt = prev.countsAt();
    }
    List<WorkerRecord> workers = v.workers();
    Set<String> paused = v.pausedQueues();
    long cursor;
    List<JobInfo> finished;
    if (prev == null) {
      cursor = v.finishCursor();
      finished = List.of();
    } else {
      FinishedBatch b = v.finished();
      cursor = b.jobs().isEmpty() ? prev.finishCursor() : b.cursor();
      finished = b.jobs();
      if (b.jobs().size() == FEED_BATCH) {
        cursor = Math.max(cursor, v.finishCursor()); // more finished than one tick shows
      }
    }
    Overview overview = null;
    if (stats != null) {
      java.util.Optional<Instant> viewed = v.oldestWaiting(); // null unless the counts were asked for
      Overview before = prev == null ? null : prev.overview();
      java.util.Optional<Instant> oldest = viewed != null ? viewed
          : before != null ? before.oldestWaitingSince() : java.util.Optional.empty();
      overview = new Overview(now, WINDOW, v.minutes(), oldest);
    }
    double rate = 0;
    if (prev != null) {
      double secs = (nanos - lastNanos) / 1e9;
      rate = secs > 0 ? (cursor - prev.finishCursor()) / secs : 0;
    }
    Snapshot s = new Snapshot(now, countsAt, service.describe(), queues, paused, workers, cursor, rate, finished,
        overview);
    lastNanos = nanos;
    last = s;
    synchronized (pending) {
      for (JobInfo j : finished) {
        if (pending.size() < FEED_BATCH) {
          pending.add(j); // sent to SSE viewers by the next tick, whoever triggered this refresh
        }
      }
    }
    return s;
  }

  private void tick() {
    if (clients.isEmpty()) {
      sent.clear(); // the next viewer's page shows the counts of its time
      return;
    }
    try {
      Snapshot rendered = last;
      if (sent.isEmpty() && rendered != null) {
        remember(rendered, 0); // the first viewers' pages show this snapshot's counts: only changes follow
      }
      Snapshot s = refresh(true);
      String stats = changesEvent(s).toString();
      List<JobInfo> finished;
      synchronized (pending) {
        finished = List.copyOf(pending);
        pending.clear();
      }
      // the jobs that finished since the last tick: one event for all of them, built once for every viewer
      String jobs = null;
      if (!finished.isEmpty()) {
        tools.jackson.databind.node.ArrayNode a = Json.array();
        for (JobInfo j : finished) {
          ObjectNode o = a.addObject();
          o.put("id", j.id());
          o.put("state", j.state().name());
          o.put("task", j.task());
          o.put("queue", j.queue());
        }
        jobs = a.toString();
      }
      for (SseClient c : clients) {
        send(c, "stats", stats);
        if (jobs != null) {
          send(c, "jobs", jobs);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("dashboard refresh failed: {}", e.toString());
    }
  }

  private void send(SseClient c, String event, String data) {
    try {
      c.sendEvent(event, data);
    } catch (RuntimeException e) {
      clients.remove(c);
    }
  }

  /** Adds an SSE viewer; it gets the current snapshot at once, then every tick. */
  public void add(SseClient c) {
    c.keepAlive();
    c.onClose(() -> clients.remove(c));
    clients.add(c);
    send(c, "stats", firstEvent(snapshot()).toString());
  }

  /**
   * The {@code stats} event of a tick: the summary and the queues that changed since they were last
   * sent, at most {@link #MAX_EVENT_QUEUES} (those waiting longest first, so every change is sent in
   * the end), with {@code queueCount} (all queues) and {@code queuesOmitted} (changed ones left for
   * the next ticks). Called on the ticks' thread only.
   */
  ObjectNode changesEvent(Snapshot s) {
    long tick = ++ticksSent;
    List<SentQueue> changed = new ArrayList<>();
    for (QueueSummary q : s.queues()) {
      ObjectNode json = Json.queue(q, s.paused().contains(q.queue()));
      SentQueue before = sent.get(q.queue());
      if (before == null || !before.json().equals(json)) {
        changed.add(new SentQueue(json, before == null ? 0 : before.tick()));
      }
    }
    changed.sort(Comparator.comparingLong(SentQueue::tick)); // stable: the snapshot's order among equals
    ObjectNode o = s.summaryJson();
    ArrayNode qs = o.putArray("queues");
    for (SentQueue c : changed.subList(0, Math.min(MAX_EVENT_QUEUES, changed.size()))) {
      qs.add(c.json());
      sent.put(c.json().get("name").asString(), new SentQueue(c.json(), tick));
    }
    if (sent.size() > s.queues().size()) { // queues gone from the store (purged): forget them
      Set<String> names = new HashSet<>();
      s.queues().forEach(q -> names.add(q.queue()));
      sent.keySet().retainAll(names);
    }
    o.put("queueCount", s.queues().size());
    o.put("queuesOmitted", changed.size() - qs.size());
    return o;
  }

  /** Takes the snapshot's queues as sent at {@code tick}. */
  private void remember(Snapshot s, long tick) {
    for (QueueSummary q : s.queues()) {
      sent.put(q.queue(), new SentQueue(Json.queue(q, s.paused().contains(q.queue())), tick));
    }
  }

  /**
   * A new viewer's first {@code stats} event: the summary and the first {@link #MAX_EVENT_QUEUES}
   * queues (its page was rendered from a snapshot of at most a tick ago; later events carry the
   * changes).
   */
  static ObjectNode firstEvent(Snapshot s) {
    ObjectNode o = s.summaryJson();
    ArrayNode qs = o.putArray("queues");
    List<QueueSummary> first = s.queues().subList(0, Math.min(MAX_EVENT_QUEUES, s.queues().size()));
    first.forEach(q -> qs.add(Json.queue(q, s.paused().contains(q.queue()))));
    o.put("queueCount", s.queues().size());
    o.put("queuesOmitted", s.queues().size() - first.size());
    return o;
  }

  /** Stops the ticks and closes the viewers' streams. */
  @Override
  public void close() {
    if (ticks != null) {
      ticks.cancel(false);
    }
    timer.shutdownNow();
    for (SseClient c : clients) {
      try {
        c.close();
      } catch (RuntimeException e) {
        // already gone
      }
    }
    clients.clear();
  }
}
