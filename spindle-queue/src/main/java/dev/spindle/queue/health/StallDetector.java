package dev.spindle.queue.health;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Incident;
import dev.spindle.queue.spi.Incident.Kind;
import dev.spindle.queue.spi.IncidentLog;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds stalled queues and workers (and, if {@link StallRules} ask, queue latency, failure rate and
 * dead jobs) in what a store's {@link StoreAdmin} shows, and keeps the store's {@link IncidentLog}
 * in step: it raises an incident while its condition holds and resolves it once it no longer does.
 * Any number of detectors may watch one store (every worker that runs one, a dashboard): the store
 * opens and resolves each incident once, and only the detector whose call did it tells its {@link
 * IncidentListener}, so an incident is alerted once.
 *
 * <p>The conditions, each per queue unless said otherwise:
 * <ul>
 *   <li>{@link Kind#STALLED_QUEUE}: the queue is not paused, has ready (QUEUED) jobs, the oldest of
 *       which became ready at least {@link StallRules#claimStall()} ago, is under its concurrency
 *       limit, and a live RUNNING worker that consumes it has a free slot: nothing claimed it although
 *       something could have.
 *   <li>{@link Kind#STALLED_WORKER} (per worker, under its first queue): a live worker holds running
 *       jobs and its finished count and running count stayed the same for {@link
 *       StallRules#progressStall()} as this detector watched (so a detector started later needs that
 *       long to see it; it never resolves such an incident before it saw the worker move).
 *   <li>{@link Kind#QUEUE_LATENCY}: the oldest ready job waited at least {@link StallRules#queueLatency()}.
 *   <li>{@link Kind#FAILURE_RATE} (store-wide): failed, retried and dead attempts over all attempts in
 *       {@link StallRules#window()}, with at least {@link StallRules#minAttempts()} attempts.
 *   <li>{@link Kind#DEAD_JOBS} (store-wide): jobs became DEAD in the window.
 * </ul>
 * Threshold incidents resolve below {@link StallRules#rearm()} times their threshold (and so re-arm).
 *
 * <p>Every time is the {@code now} the caller passes, which must be the store's clock ({@code
 * JobStore.storeTime()}, or a worker's clock moved onto it): the ready times and leases it compares
 * with are the store's. A job waiting on a {@link dev.spindle.queue.FlowLimit} counts as ready, so
 * give queues with tight flow limits a {@code claimStall} longer than their limits' periods.
 *
 * <p>Thread-safe: evaluations are serialized. A store failure propagates as {@link
 * dev.spindle.queue.StoreException}; the next evaluation starts over.
 */
public final class StallDetector {
  private static final Logger LOG = LoggerFactory.getLogger(StallDetector.class);
  /** The most open incidents read per evaluation. */
  private static final int OPEN_READ = 1000;

  private final StoreAdmin admin;
  private final IncidentLog log;
  private final StallRules rules;
  private final IncidentListener listener;
  /** What this detector saw of each worker: its counts and since when they have not changed. */
  private final Map<String, Progress> progress = new HashMap<>();
  private @Nullable Instant lastRun;
  private final java.util.concurrent.atomic.AtomicLong evaluations = new java.util.concurrent.atomic.AtomicLong();

  /** An opened or resolved incident, as an evaluation changed it. */
  public record Change(Incident incident, boolean opened) {}

  private record Progress(long processed, int running, Instant since, boolean moved) {}

  private StallDetector(StoreAdmin admin, IncidentLog log, StallRules rules, IncidentListener listener) {
    this.admin = admin;
    this.log = log;
    this.rules = rules;
    this.listener = listener;
  }

  /**
   * A detector of {@code admin}'s store.
   *
   * @throws IllegalArgumentException if the store keeps no incidents ({@link StoreAdmin#incidents()})
   */
  public static StallDetector of(StoreAdmin admin, StallRules rules, IncidentListener listener) {
    IncidentLog log = admin.incidents().orElseThrow(() -> new IllegalArgumentException("the store "
        + admin.describe() + " keeps no incidents, so stalls cannot be detected on it"));
    return new StallDetector(admin, log, Objects.requireNonNull(rules, "rules"),
        Objects.requireNonNull(listener, "listener"));
  }

  /** How many evaluations completed (for metrics and tests). */
  public long evaluations() {
    return evaluations.get();
  }

  /** The rules it applies. */
  public StallRules rules() {
    return rules;
  }

  /**
   * {@link #evaluate} if {@link StallRules#interval()} passed since the last evaluation (or there was
   * none, or the clock went back).
   *
   * @return true if it evaluated
   */
  public boolean evaluateIfDue(Instant now) {
    synchronized (this) {
      Instant last = lastRun;
      if (last != null && !now.isBefore(last) && Duration.between(last, now).compareTo(rules.interval()) < 0) {
        return false;
      }
    }
    evaluate(now);
    return true;
  }

  /**
   * Reads the store, raises the incidents whose conditions hold and resolves the open ones whose
   * conditions no longer hold; tells the listener of those this call changed.
   *
   * @param now the store's clock now
   * @return the incidents this call opened or resolved
   */
  public synchronized List<Change> evaluate(Instant now) {
    lastRun = now;
    Map<Incident.Key, Condition> found = new HashMap<>();
    Set<Incident.Key> undecided = new HashSet<>();
    List<WorkerRecord> workers = admin.inspector().workers();
    Map<String, Instant> oldest = admin.inspector().oldestReady();
    stalledQueues(now, workers, oldest, found);
    stalledWorkers(now, workers, found, undecided);
    latency(now, oldest, found, undecided);
    admin.statistics().ifPresent(s -> recentOutcomes(now, s, found, undecided));
    List<Change> changes = apply(now, found, undecided);
    evaluations.incrementAndGet();
    return changes;
  }

  /** A condition that holds: when it began and what to say. */
  private record Condition(Instant since, String details) {}

  private void stalledQueues(Instant now, List<WorkerRecord> workers, Map<String, Instant> oldest,
      Map<Incident.Key, Condition> found) {
    if (oldest.isEmpty()) {
      return;
    }
    Set<String> paused = admin.control().pausedQueues();
    Map<String, QueueSummary> summaries = new HashMap<>();
    for (QueueSummary q : admin.inspector().queueSummaries()) {
      summaries.put(q.queue(), q);
    }
    for (Map.Entry<String, Instant> e : oldest.entrySet()) {
      String queue = e.getKey();
      Duration waited = age(e.getValue(), now);
      if (waited.compareTo(rules.claimStall()) < 0 || paused.contains(queue)) {
        continue;
      }
      QueueSummary s = summaries.get(queue);
      long running = s == null ? 0 : s.count(JobState.RUNNING);
      if (s != null && s.limit() > 0 && running >= s.limit()) {
        continue;
      }
      List<String> free = new ArrayList<>();
      for (WorkerRecord w : workers) {
        if (w.isAlive(now) && "RUNNING".equals(w.state()) && w.queues().contains(queue)
            && w.running() < w.concurrency()) {
          free.add(w.name() + " (" + (w.concurrency() - w.running()) + " free)");
        }
      }
      if (!free.isEmpty()) {
        long ready = s == null ? 0 : s.count(JobState.QUEUED);
        found.put(Incident.Key.of(Kind.STALLED_QUEUE, queue), new Condition(e.getValue(), ready
            + " ready job(s), the oldest waiting " + human(waited) + " with free slots on " + free.size()
            + " live worker(s): " + String.join(", ", free.subList(0, Math.min(5, free.size())))));
      }
    }
  }

  private void stalledWorkers(Instant now, List<WorkerRecord> workers, Map<Incident.Key, Condition> found,
      Set<Incident.Key> undecided) {
    Set<String> seen = new HashSet<>();
    for (WorkerRecord w : workers) {
      seen.add(w.id());
      Progress was = progress.get(w.id());
      Progress p = was == null ? new Progress(w.processed(), w.running(), now, false)
          : was.processed() != w.processed() || was.running() != w.running()
              ? new Progress(w.processed(), w.running(), now, true) : was;
      progress.put(w.id(), p);
      if (!w.isAlive(now) || w.running() == 0 || w.queues().isEmpty()) {
        continue;
      }
      Incident.Key key = new Incident.Key(Kind.STALLED_WORKER, w.queues().get(0), cutSubject(w.id()));
      Duration still = age(p.since(), now);
      if (still.compareTo(rules.progressStall()) >= 0) {
        found.put(key, new Condition(p.since(), "worker " + w.name() + " (" + w.id() + ", queues "
            + String.join(", ", w.queues()) + ") holds " + w.running() + " running job(s) and completed or claimed "
            + "none for " + human(still) + " although its heartbeats go on"));
      } else if (!p.moved()) {
        undecided.add(key);
      }
    }
    progress.keySet().retainAll(seen);
  }

  private void latency(Instant now, Map<String, Instant> oldest, Map<Incident.Key, Condition> found,
      Set<Incident.Key> undecided) {
    Duration limit = rules.queueLatency();
    if (limit == null) {
      return;
    }
    for (Map.Entry<String, Instant> e : oldest.entrySet()) {
      Duration waited = age(e.getValue(), now);
      Incident.Key key = Incident.Key.of(Kind.QUEUE_LATENCY, e.getKey());
      if (waited.compareTo(limit) >= 0) {
        found.put(key, new Condition(e.getValue(), "the oldest ready job waited " + human(waited)
            + ", over the threshold of " + human(limit)));
      } else if (waited.toMillis() >= limit.toMillis() * rules.rearm()) {
        undecided.add(key);
      }
    }
  }

  private void recentOutcomes(Instant now, JobStatistics stats, Map<Incident.Key, Condition> found,
      Set<Incident.Key> undecided) {
    Instant from = now.minus(rules.window());
    long ok = 0;
    long bad = 0;
    long dead = 0;
    for (MinuteStats m : stats.minutes(from, now)) {
      ok += m.succeeded();
      bad += m.failed() + m.retried() + m.dead();
      dead += m.dead();
    }
    Incident.Key deadKey = Incident.Key.of(Kind.DEAD_JOBS, Incident.ALL_QUEUES);
    if (rules.deadJobs() && dead > 0) {
      found.put(deadKey, new Condition(from, dead + " job(s) became DEAD in the last " + human(rules.window())));
    }
    double threshold = rules.failureRate();
    if (threshold <= 0) {
      return;
    }
    long attempts = ok + bad;
    double rate = attempts == 0 ? 0 : (double) bad / attempts;
    Incident.Key key = Incident.Key.of(Kind.FAILURE_RATE, Incident.ALL_QUEUES);
    if (attempts >= rules.minAttempts() && rate >= threshold) {
      found.put(key, new Condition(from, String.format(java.util.Locale.ROOT,
          "%.1f %% of %d attempts failed in the last %s (threshold %.1f %%)", rate * 100, attempts,
          human(rules.window()), threshold * 100)));
    } else if (rate >= threshold * rules.rearm()) {
      undecided.add(key);
    }
  }

  /** Raises what was found and not open, resolves what is open and neither found nor undecided. */
  private List<Change> apply(Instant now, Map<Incident.Key, Condition> found, Set<Incident.Key> undecided) {
    List<Change> changes = new ArrayList<>();
    Set<Incident.Key> open = new HashSet<>();
    for (Incident i : log.incidents(true, OPEN_READ)) {
      open.add(i.key());
    }
    for (Map.Entry<Incident.Key, Condition> e : found.entrySet()) {
      if (open.contains(e.getKey())) {
        continue;
      }
      IncidentLog.Raised r = log.raise(e.getKey(), e.getValue().since(), e.getValue().details(), now);
      if (r.created()) {
        changes.add(new Change(r.incident(), true));
        LOG.warn("incident {} opened: {} on {}: {}", r.incident().id(), e.getKey().kind(), e.getKey().queue(),
            r.incident().details());
        tell(r.incident(), true);
      }
    }
    for (Incident.Key key : open) {
      if (found.containsKey(key) || undecided.contains(key)
          || !decides(key)) {
        continue;
      }
      Optional<Incident> done = log.resolve(key, now);
      if (done.isPresent()) {
        changes.add(new Change(done.get(), false));
        LOG.info("incident {} resolved: {} on {}", done.get().id(), key.kind(), key.queue());
        tell(done.get(), false);
      }
    }
    return changes;
  }

  /** Whether this detector judges incidents of the key's kind (a rule turned off leaves them alone). */
  private boolean decides(Incident.Key key) {
    return switch (key.kind()) {
      case QUEUE_LATENCY -> rules.queueLatency() != null;
      case FAILURE_RATE -> rules.failureRate() > 0 && admin.statistics().isPresent();
      case DEAD_JOBS -> rules.deadJobs() && admin.statistics().isPresent();
      case STALLED_WORKER -> true;
      case STALLED_QUEUE -> true;
    };
  }

  private void tell(Incident incident, boolean opened) {
    try {
      if (opened) {
        listener.opened(incident);
      } else {
        listener.resolved(incident);
      }
    } catch (RuntimeException e) {
      LOG.warn("the incident listener failed on incident {}", incident.id(), e);
    }
  }

  private static Duration age(Instant since, Instant now) {
    return since.isAfter(now) ? Duration.ZERO : Duration.between(since, now);
  }

  private static String cutSubject(String id) {
    return id.length() <= 255 ? id : id.substring(0, 255);
  }

  /** A duration for people: "2m 5s", "45s", "1h 3m". */
  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m " + (s % 60) + "s";
    }
    return (s / 3600) + "h " + (s % 3600 / 60) + "m";
  }
}
