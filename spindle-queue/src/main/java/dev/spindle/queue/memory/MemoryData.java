package dev.spindle.queue.memory;

import dev.spindle.queue.JobRules;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.DependencyEnd;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.queue.store.ChangeListeners;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The state of an {@link InMemoryJobStore}, shared by its parts: the jobs and every index over them
 * (ready sets, scheduled and running jobs, the finish feed, expiry and retention orders, per-queue
 * counts), the workers, queue limits and pauses, the flow-control state, the dependency graph and the
 * per-minute counters, with the one lock that guards them all. {@link #move} applies a checked
 * transition and keeps every index, counter and the graph in step. Not thread-safe by itself: every
 * part calls it while holding {@link #lock}.
 */
final class MemoryData {
  static final Comparator<MemoryJob> SCHEDULED_ORDER =
      Comparator.<MemoryJob, Instant>comparing(j -> j.runAt).thenComparingLong(j -> j.id);
  static final Comparator<MemoryJob> EXPIRY_ORDER =
      Comparator.<MemoryJob, Instant>comparing(j -> j.expiresAt).thenComparingLong(j -> j.id);
  static final Comparator<MemoryJob> FINISH_ORDER =
      Comparator.<MemoryJob, Instant>comparing(j -> j.finishedAt).thenComparingLong(j -> j.id);

  final String name;
  final Object lock = new Object();
  /** How many of a job's last claims its attempts ledger keeps. */
  int attemptsKept = dev.spindle.queue.spi.AttemptLedger.DEFAULT_KEEP;
  final TreeMap<Long, MemoryJob> jobs = new TreeMap<>();
  final Map<String, MemoryReady> ready = new HashMap<>();
  final MemoryFlow flow = new MemoryFlow();
  final TreeSet<MemoryJob> scheduled = new TreeSet<>(SCHEDULED_ORDER);
  final Map<String, Set<MemoryJob>> runningByWorker = new HashMap<>();
  final Map<String, Integer> runningByQueue = new HashMap<>();
  final Map<String, Long> uniqueKeys = new HashMap<>();
  final TreeMap<Long, MemoryJob> feed = new TreeMap<>();
  final TreeSet<MemoryJob> byExpiry = new TreeSet<>(EXPIRY_ORDER);
  /** Finished jobs by how they are kept ({@link JobRules#keptAs}), oldest finish first. */
  final Map<JobRules.Kept, TreeSet<MemoryJob>> keptByFinish = keptByFinish();
  final Map<String, EnumMap<JobState, Long>> counts = new TreeMap<>();
  final Map<String, WorkerRecord> workers = new TreeMap<>();
  final Map<String, Integer> limits = new TreeMap<>();
  final Set<String> paused = new TreeSet<>();
  /** Per-minute counters by the minute's epoch second (see {@link MinuteStats}). */
  final TreeMap<Long, Map<Integer, Long>> stats = new TreeMap<>();
  final ChangeListeners listeners = new ChangeListeners();
  final MemoryDependencies deps = new MemoryDependencies(new GraphHost());
  /** Jobs suspended on another job's end ({@code DurableContext.awaitJob}), by the awaited job's id. */
  final Map<Long, Set<Long>> awaitedBy = new HashMap<>();
  long lastId;
  long lastFinishSeq;
  final boolean closeable;
  final Clock clock;
  volatile boolean closed;

  MemoryData(String name, boolean closeable, Clock clock) {
    this.name = Objects.requireNonNull(name, "name");
    this.closeable = closeable;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The store's description, {@code memory:name}. */
  String describe() {
    return "memory:" + name;
  }

  /** The job with this id, which the caller knows exists. */
  MemoryJob job(long id) {
    return Objects.requireNonNull(jobs.get(id), () -> "job " + id);
  }

  @Nullable MemoryJob lookup(String jobId) {
    long id;
    try {
      id = Long.parseLong(jobId);
    } catch (NumberFormatException e) {
      return null;
    }
    return jobs.get(id);
  }

  /** Applies a checked transition, keeping every index in step. */
  void move(MemoryJob j, JobState to, Instant now) {
    JobState.checkTransition(Long.toString(j.id), j.state, to);
    unindex(j);
    JobState from = j.state;
    if (from == JobState.RUNNING) {
      j.cancelRequested = false;
    }
    if (from.isTerminal()) {
      j.finishedAt = null;
      j.expiresAt = null;
      j.finishSeq = 0;
    }
    j.state = to;
    countMove(j, to, now);
    if (to.isTerminal()) {
      j.finishedAt = now;
      j.expiresAt = now.plus(j.policy.ttlFor(to));
      j.finishSeq = ++lastFinishSeq;
    }
    index(j);
    if (to.isTerminal()) {
      deps.ended(j.id, now);
      if (!awaitedBy.isEmpty()) {
        wakeAwaiting(j.id, now);
      }
    }
  }

  /**
   * Job {@code id} ended or is gone: the jobs suspended on its end go SCHEDULED to QUEUED (those that
   * moved on meanwhile stay as they are).
   */
  private void wakeAwaiting(long id, Instant now) {
    Set<Long> waiters = awaitedBy.remove(id);
    if (waiters == null) {
      return;
    }
    String target = Long.toString(id);
    boolean woke = false;
    for (long w : waiters) {
      MemoryJob waiter = jobs.get(w);
      MemoryDurable.Records r = waiter == null ? null : waiter.durable;
      if (waiter != null && r != null && r.wait != null && waiter.state == JobState.SCHEDULED
          && r.wait.wokenByEndOf(target)) {
        waiter.runAt = now;
        move(waiter, JobState.QUEUED, now);
        woke = true;
      }
    }
    if (woke) {
      listeners.fire();
    }
  }

  /** The dependency graph's view of the jobs. */
  private final class GraphHost implements MemoryDependencies.Host {
    @Override
    public @Nullable JobState stateOf(long id) {
      MemoryJob j = jobs.get(id);
      return j == null ? null : j.state;
    }

    @Override
    public DependencyEnd endOf(long id) {
      MemoryJob j = jobs.get(id);
      return j == null ? new DependencyEnd(Long.toString(id), JobState.CANCELLED, null, null)
          : new DependencyEnd(Long.toString(id), j.state, j.result, j.error);
    }

    @Override
    public void cancel(long id, String errorJson, Instant now) {
      MemoryJob j = job(id);
      j.error = errorJson;
      move(j, JobState.CANCELLED, now);
    }

    @Override
    public void release(long id, Instant now) {
      MemoryJob j = job(id);
      j.args = deps.inputOf(id, j.args);
      move(j, j.runAt.isAfter(now) ? JobState.SCHEDULED : JobState.QUEUED, now);
    }

    @Override
    public void revive(long id, Instant now) {
      MemoryJob j = job(id);
      j.error = null;
      move(j, JobState.WAITING, now);
    }
  }

  void countMove(MemoryJob j, JobState to, Instant now) {
    switch (to) {
      case RUNNING -> {
        count(now, MinuteStats.STARTED, 1);
        count(now, MinuteStats.WAIT_BASE + MinuteStats.bucket(Duration.between(j.runAt, now)), 1);
      }
      default -> JobRules.endCounter(to).ifPresent(counter -> count(now, counter, 1));
    }
  }

  void count(Instant now, int counter, long n) {
    long minute = MinuteStats.minuteOf(now);
    stats.computeIfAbsent(minute, m -> new HashMap<>()).merge(counter, n, Long::sum);
    long keptFrom = minute - MinuteStats.KEPT.toSeconds();
    while (!stats.isEmpty() && stats.firstKey() < keptFrom) {
      stats.pollFirstEntry();
    }
  }

  void index(MemoryJob j) {
    counts.computeIfAbsent(j.queue, q -> new EnumMap<>(JobState.class)).merge(j.state, 1L, Long::sum);
    switch (j.state) {
      case WAITING -> { }
      case SCHEDULED -> scheduled.add(j);
      case QUEUED -> ready.computeIfAbsent(j.queue, q -> new MemoryReady()).add(j);
      case RUNNING -> {
        if (j.flowKey != null) {
          flow.running(j.flowKey, 1);
        }
        runningByWorker.computeIfAbsent(j.workerId, w -> new HashSet<>()).add(j);
        runningByQueue.merge(j.queue, 1, Integer::sum);
      }
      default -> {
        feed.put(j.finishSeq, j);
        byExpiry.add(j);
        finished(j.state).add(j);
      }
    }
  }

  void unindex(MemoryJob j) {
    Objects.requireNonNull(counts.get(j.queue), j.queue).merge(j.state, -1L, Long::sum);
    switch (j.state) {
      case WAITING -> { }
      case SCHEDULED -> scheduled.remove(j);
      case QUEUED -> Objects.requireNonNull(ready.get(j.queue), j.queue).remove(j);
      case RUNNING -> {
        if (j.flowKey != null) {
          flow.running(j.flowKey, -1);
        }
        Set<MemoryJob> held = Objects.requireNonNull(runningByWorker.get(j.workerId), "a running job's worker");
        held.remove(j);
        if (held.isEmpty()) {
          runningByWorker.remove(j.workerId);
        }
        runningByQueue.merge(j.queue, -1, Integer::sum);
      }
      default -> {
        feed.remove(j.finishSeq);
        byExpiry.remove(j);
        finished(j.state).remove(j);
      }
    }
  }

  private static Map<JobRules.Kept, TreeSet<MemoryJob>> keptByFinish() {
    Map<JobRules.Kept, TreeSet<MemoryJob>> m = new EnumMap<>(JobRules.Kept.class);
    for (JobRules.Kept k : JobRules.Kept.values()) {
      m.put(k, new TreeSet<>(FINISH_ORDER));
    }
    return m;
  }

  /** The finished jobs kept as a job that ended in {@code terminal} is. */
  TreeSet<MemoryJob> finished(JobState terminal) {
    return Objects.requireNonNull(keptByFinish.get(JobRules.keptAs(terminal)), "every kind is in the map");
  }

  void delete(MemoryJob j) {
    unindex(j);
    jobs.remove(j.id);
    deps.deleted(j.id);
    if (!awaitedBy.isEmpty()) {
      wakeAwaiting(j.id, clock.instant()); // removed while awaited: the waiters learn it now
    }
    if (j.uniqueKey != null) {
      uniqueKeys.remove(j.uniqueKey, j.id);
    }
  }

  void checkOpen() {
    if (closed) {
      throw new StoreException(StoreException.Reason.CLOSED, "the job store " + describe() + " is closed");
    }
  }

  boolean matches(MemoryJob j, JobFilter f) {
    return f.includes(j.state) && f.matchesFields(j.queue, j.task, j.args, j.error, j.createdAt, j.finishedAt);
  }
}
