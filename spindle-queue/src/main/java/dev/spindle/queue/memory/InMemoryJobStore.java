package dev.spindle.queue.memory;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.AuditRecord;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.ChangeListeners;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.FlowHold;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.queue.spi.Workflows;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A job store held in this JVM's memory, with exactly the semantics of the durable stores (it passes
 * the same contract suite): for tests, embedded use and single-process applications that do not need
 * jobs to survive a restart. Every operation takes one lock, so each is atomic; listeners are called
 * after the lock is released, on the calling thread. Thread-safe.
 *
 * <p>Create one with {@code new InMemoryJobStore()}, or open a named instance shared inside the JVM
 * with {@code JobStores.open("memory:name")}.
 *
 * <p>Time: leases, due times, finish and expiry times are read on the store's own {@link Clock}
 * (the system clock unless one is given), never on a caller's: a caller's instants are moved onto
 * it by {@link StoreClock}.
 */
public final class InMemoryJobStore implements JobStore, JobInspector, QueueControl, AuditLog, JobStatistics,
    FlowControl {
  private static final Comparator<MemoryJob> SCHEDULED_ORDER =
      Comparator.<MemoryJob, Instant>comparing(j -> j.runAt).thenComparingLong(j -> j.id);
  private static final Comparator<MemoryJob> EXPIRY_ORDER =
      Comparator.<MemoryJob, Instant>comparing(j -> j.expiresAt).thenComparingLong(j -> j.id);
  private static final Comparator<MemoryJob> FINISH_ORDER =
      Comparator.<MemoryJob, Instant>comparing(j -> j.finishedAt).thenComparingLong(j -> j.id);

  private final String name;
  private final Object lock = new Object();
  private final TreeMap<Long, MemoryJob> jobs = new TreeMap<>();
  private final Map<String, MemoryReady> ready = new HashMap<>();
  private final MemoryFlow flow = new MemoryFlow();
  private final TreeSet<MemoryJob> scheduled = new TreeSet<>(SCHEDULED_ORDER);
  private final Map<String, Set<MemoryJob>> runningByWorker = new HashMap<>();
  private final Map<String, Integer> runningByQueue = new HashMap<>();
  private final Map<String, Long> uniqueKeys = new HashMap<>();
  private final TreeMap<Long, MemoryJob> feed = new TreeMap<>();
  private final TreeSet<MemoryJob> byExpiry = new TreeSet<>(EXPIRY_ORDER);
  private final TreeSet<MemoryJob> succeededByFinish = new TreeSet<>(FINISH_ORDER);
  private final TreeSet<MemoryJob> failedByFinish = new TreeSet<>(FINISH_ORDER);
  private final Map<String, EnumMap<JobState, Long>> counts = new TreeMap<>();
  private final Map<String, WorkerRecord> workers = new TreeMap<>();
  private final Map<String, Integer> limits = new TreeMap<>();
  private final Set<String> paused = new TreeSet<>();
  private final Set<String> pausedSchedules = new TreeSet<>();
  /** Per-minute counters by the minute's epoch second (see {@link MinuteStats}). */
  private final TreeMap<Long, Map<Integer, Long>> stats = new TreeMap<>();
  private final java.util.ArrayDeque<AuditRecord> audit = new java.util.ArrayDeque<>();
  private long auditSeq;
  private final TreeMap<String, ScheduleRecord> schedules = new TreeMap<>();
  private final ChangeListeners listeners = new ChangeListeners();
  private final MemoryDependencies deps = new MemoryDependencies(new GraphHost());
  private long lastId;
  private long lastFinishSeq;
  private final boolean closeable;
  private final Clock clock;
  private volatile boolean closed;

  /** An empty store. */
  public InMemoryJobStore() {
    this("memory");
  }

  /** An empty store with a name for messages. */
  public InMemoryJobStore(String name) {
    this(name, Clock.systemUTC());
  }

  /**
   * An empty store with a name for messages and its own clock, on which it reads leases, due times
   * and expiry (tests give a manual clock).
   */
  public InMemoryJobStore(String name, Clock clock) {
    this(name, true, clock);
  }

  InMemoryJobStore(String name, boolean closeable) {
    this(name, closeable, Clock.systemUTC());
  }

  private InMemoryJobStore(String name, boolean closeable, Clock clock) {
    this.name = Objects.requireNonNull(name, "name");
    this.closeable = closeable;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Instant storeTime() {
    return clock.instant();
  }

  // ---------------------------------------------------------------- JobStore

  @Override
  public List<EnqueueResult> enqueue(List<NewJob> newJobs) {
    List<EnqueueResult> out = new ArrayList<>(newJobs.size());
    synchronized (lock) {
      checkOpen();
      Workflows.checkBatch(newJobs);
      checkDependenciesExist(newJobs);
      for (NewJob n : newJobs) {
        out.add(insert(n, out));
      }
    }
    if (!newJobs.isEmpty()) {
      listeners.fire();
    }
    return out;
  }

  @Override
  public List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> newJobs, List<Integer> exits) {
    List<EnqueueResult> out = new ArrayList<>(newJobs.size());
    synchronized (lock) {
      checkOpen();
      MemoryJob parent = lookup(parentId);
      if (parent == null) {
        throw new JobNotFoundException(parentId);
      }
      Workflows.checkChildren(parentId, parent.state, parent.fence, fence, newJobs, exits);
      Workflows.checkBatch(newJobs);
      checkDependenciesExist(newJobs);
      for (NewJob n : newJobs) {
        out.add(insert(n, out));
      }
      long[] exitIds = new long[exits.size()];
      for (int i = 0; i < exitIds.length; i++) {
        exitIds[i] = Long.parseLong(out.get(exits.get(i)).jobId());
      }
      deps.adopt(parent.id, exitIds, clock.instant());
    }
    listeners.fire();
    return out;
  }

  private void checkDependenciesExist(List<NewJob> newJobs) {
    for (NewJob n : newJobs) {
      for (Dependency d : Objects.requireNonNull(n, "job").dependsOn()) {
        if (!d.inBatch() && lookup(d.on()) == null) {
          throw new IllegalArgumentException("a job depends on job " + d.on() + ", which does not exist;"
              + " nothing was added");
        }
      }
    }
  }

  private EnqueueResult insert(NewJob n, List<EnqueueResult> batch) {
    if (n.uniqueKey() != null) {
      Long existing = uniqueKeys.get(n.uniqueKey());
      if (existing != null) {
        return new EnqueueResult(Long.toString(existing), false, job(existing).state);
      }
    }
    StoreClock sc = StoreClock.read(clock, n.createdAt());
    MemoryJob j = new MemoryJob(++lastId, n, sc);
    String flowKey = n.flowKey();
    if (flowKey != null && FlowControl.isBad(flowKey)) {
      return insertDead(j, FlowControl.BAD_FLOW_KEY, FlowControl.badKeyError(flowKey), sc.now());
    }
    JobState start = n.isDelayed() ? JobState.SCHEDULED : JobState.QUEUED;
    if (n.hasDependencies()) {
      long[] parents = new long[n.dependsOn().size()];
      List<DependencyPolicy> policies = new ArrayList<>(parents.length);
      for (int i = 0; i < parents.length; i++) {
        Dependency d = n.dependsOn().get(i);
        parents[i] = Long.parseLong(d.inBatch() ? batch.get(d.batchIndex()).jobId() : d.on());
        policies.add(d.policy());
      }
      JobState wait = deps.add(j.id, parents, policies, n.input());
      if (wait == null) {
        j.args = deps.inputOf(j.id, j.args);
      } else {
        start = JobState.WAITING;
      }
      if (wait == JobState.CANCELLED) {
        j.state = JobState.WAITING;
        jobs.put(j.id, j);
        index(j);
        j.error = deps.cancellation(j.id);
        move(j, JobState.CANCELLED, sc.now());
        return registered(j);
      }
    }
    j.state = start;
    jobs.put(j.id, j);
    index(j);
    return registered(j);
  }

  /** Adds a job that is dead from the start (its flow key could not be computed). */
  private EnqueueResult insertDead(MemoryJob j, String reason, String errorJson, Instant now) {
    j.state = JobState.DEAD;
    j.deadReason = reason;
    j.error = errorJson;
    j.finishedAt = now;
    j.expiresAt = now.plus(j.policy.ttlFor(JobState.DEAD));
    j.finishSeq = ++lastFinishSeq;
    countMove(j, JobState.DEAD, now);
    jobs.put(j.id, j);
    index(j);
    return registered(j);
  }

  private EnqueueResult registered(MemoryJob j) {
    if (j.uniqueKey != null) {
      uniqueKeys.put(j.uniqueKey, j.id);
    }
    return new EnqueueResult(Long.toString(j.id), true, j.state);
  }

  @Override
  public Optional<JobInfo> find(String jobId) {
    synchronized (lock) {
      checkOpen();
      MemoryJob j = lookup(jobId);
      return j == null ? Optional.empty() : Optional.of(j.snapshot());
    }
  }

  @Override
  public CancelResult cancel(String jobId, Instant callerNow) {
    CancelResult r;
    synchronized (lock) {
      checkOpen();
      Instant now = clock.instant();
      MemoryJob j = lookup(jobId);
      if (j == null) {
        return CancelResult.NOT_FOUND;
      }
      switch (j.state) {
        case WAITING, SCHEDULED, QUEUED -> {
          move(j, JobState.CANCELLED, now);
          r = CancelResult.CANCELLED;
        }
        case RUNNING -> {
          j.cancelRequested = true;
          r = CancelResult.CANCEL_REQUESTED;
        }
        default -> r = CancelResult.ALREADY_FINISHED;
      }
    }
    listeners.fire();
    return r;
  }

  @Override
  public ClaimResult claim(ClaimRequest request) {
    ClaimResult r;
    synchronized (lock) {
      checkOpen();
      r = claimLocked(request);
    }
    if (!r.jobs().isEmpty()) {
      listeners.fire();
    }
    return r;
  }

  private ClaimResult claimLocked(ClaimRequest request) {
    Instant now = clock.instant();
    promoteDue(now);
    List<JobInfo> claimed = new ArrayList<>();
    Instant[] flowNext = new Instant[1]; // the earliest time a flow rule that held a key lifts
    int remaining = request.max();
    for (String queue : request.queues()) {
      if (remaining == 0) {
        break;
      }
      MemoryReady set = ready.get(queue);
      if (set == null || set.isEmpty() || paused.contains(queue)) {
        continue;
      }
      int available = remaining;
      Integer limit = limits.get(queue);
      if (limit != null && limit > 0) {
        available = Math.min(available, limit - runningByQueue.getOrDefault(queue, 0));
      }
      int took = claimFrom(set, available, request.workerId(), now, claimed, flowNext);
      remaining -= took;
    }
    Instant next = scheduled.isEmpty() ? null : scheduled.first().runAt;
    if (flowNext[0] != null && (next == null || flowNext[0].isBefore(next))) {
      next = flowNext[0];
    }
    return new ClaimResult(claimed, next);
  }

  /**
   * Claims up to {@code available} jobs of one queue: in claim order if no ready job has a flow key,
   * else round-robin over the unkeyed group and the keys, skipping keys a flow rule holds.
   */
  private int claimFrom(MemoryReady set, int available, String workerId, Instant now, List<JobInfo> claimed,
      Instant[] flowNext) {
    int took = 0;
    long nowMicros = MemoryFlow.micros(now);
    while (took < available && !set.isEmpty()) {
      boolean progress = false;
      if (!set.keyed()) {
        MemoryJob j = Objects.requireNonNull(set.firstUnkeyed(), "a ready set without keys has an unkeyed job");
        start(j, workerId, now, claimed);
        took++;
        continue;
      }
      MemoryJob u = set.firstUnkeyed();
      if (u != null) {
        start(u, workerId, now, claimed);
        took++;
        progress = true;
      }
      for (String key : set.round()) {
        // a key takes up to its weight's claims in a row, then its turn ends
        while (took < available) {
          FlowHold h = flow.hold(key, nowMicros);
          if (h != null) {
            if (h.until() != null && (flowNext[0] == null || h.until().isBefore(flowNext[0]))) {
              flowNext[0] = h.until();
            }
            break;
          }
          MemoryJob j = set.first(key);
          if (j == null) {
            break;
          }
          boolean ended = set.served(key, flow.weight(key));
          flow.started(key, nowMicros);
          start(j, workerId, now, claimed);
          took++;
          progress = true;
          if (ended) {
            break;
          }
        }
        if (took >= available) {
          break;
        }
      }
      if (!progress) {
        break;
      }
    }
    return took;
  }

  private void start(MemoryJob j, String workerId, Instant now, List<JobInfo> claimed) {
    j.attempt++;
    j.fence++;
    j.workerId = workerId;
    j.startedAt = now;
    j.cancelRequested = false;
    move(j, JobState.RUNNING, now);
    claimed.add(j.snapshot());
  }

  private void promoteDue(Instant now) {
    while (!scheduled.isEmpty() && !scheduled.first().runAt.isAfter(now)) {
      move(scheduled.first(), JobState.QUEUED, now);
    }
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    List<Boolean> out;
    synchronized (lock) {
      checkOpen();
      out = completeLocked(completions, now);
    }
    if (!completions.isEmpty()) {
      listeners.fire();
    }
    return out;
  }

  private List<Boolean> completeLocked(List<Completion> completions, Instant callerNow) {
    StoreClock sc = StoreClock.read(clock, callerNow);
    Instant now = sc.now();
    List<Boolean> out = new ArrayList<>(completions.size());
    for (Completion c : completions) {
      MemoryJob j = lookup(c.jobId());
      if (j == null || j.state != JobState.RUNNING || j.fence != c.fence() || !c.workerId().equals(j.workerId)) {
        out.add(false);
        continue;
      }
      switch (c.outcome()) {
        case SUCCEEDED -> {
          j.result = c.resultJson();
          move(j, JobState.SUCCEEDED, now);
        }
        case RETRY -> {
          count(now, MinuteStats.RETRIED, 1);
          j.failures++;
          j.error = c.errorJson();
          j.runAt = sc.translate(Objects.requireNonNull(c.retryAt(), "retryAt of a RETRY completion"));
          move(j, j.runAt.isAfter(now) ? JobState.SCHEDULED : JobState.QUEUED, now);
        }
        case FAILED -> {
          j.failures++;
          j.error = c.errorJson();
          move(j, JobState.FAILED, now);
        }
        case DEAD -> {
          j.error = c.errorJson();
          j.deadReason = c.deadReason();
          move(j, JobState.DEAD, now);
        }
        case CANCELLED -> {
          if (c.errorJson() != null) {
            j.error = c.errorJson();
          }
          move(j, JobState.CANCELLED, now);
        }
        case RELEASED -> release(j, now);
      }
      out.add(true);
    }
    return out;
  }

  /** Hands a running job back: QUEUED without counting the attempt, or CANCELLED if a cancel was asked. */
  private void release(MemoryJob j, Instant now) {
    if (j.cancelRequested) {
      move(j, JobState.CANCELLED, now);
      return;
    }
    j.attempt = Math.max(0, j.attempt - 1);
    j.runAt = now;
    move(j, JobState.QUEUED, now);
  }

  @Override
  public Exchange completeAndClaim(List<Completion> completions, @Nullable ClaimRequest request, Instant now) {
    Exchange ex;
    synchronized (lock) {
      checkOpen();
      List<Boolean> applied = completeLocked(completions, now);
      ClaimResult claim = request == null ? ClaimResult.empty() : claimLocked(request);
      ex = new Exchange(applied, claim);
    }
    if (!completions.isEmpty() || !ex.claim().jobs().isEmpty()) {
      listeners.fire();
    }
    return ex;
  }

  @Override
  public HeartbeatResult heartbeat(WorkerRecord worker) {
    synchronized (lock) {
      checkOpen();
      StoreClock sc = StoreClock.read(clock, worker.heartbeatAt());
      workers.put(worker.id(), worker.onStoreClock(sc));
      Set<String> held = new HashSet<>();
      Set<String> cancel = new HashSet<>();
      for (MemoryJob j : runningByWorker.getOrDefault(worker.id(), Set.of())) {
        held.add(Long.toString(j.id));
        if (j.cancelRequested) {
          cancel.add(Long.toString(j.id));
        }
      }
      return new HeartbeatResult(held, cancel, sc.now());
    }
  }

  @Override
  public void deregisterWorker(String workerId, Instant callerNow) {
    boolean changed;
    synchronized (lock) {
      checkOpen();
      Instant now = clock.instant();
      workers.remove(workerId);
      List<MemoryJob> held = new ArrayList<>(runningByWorker.getOrDefault(workerId, Set.of()));
      for (MemoryJob j : held) {
        release(j, now);
      }
      changed = !held.isEmpty();
    }
    if (changed) {
      listeners.fire();
    }
  }

  @Override
  public List<JobInfo> reclaimExpired(Instant callerNow, int limit) {
    List<JobInfo> out = new ArrayList<>();
    synchronized (lock) {
      checkOpen();
      Instant now = clock.instant();
      Set<String> expired = new LinkedHashSet<>();
      for (String w : runningByWorker.keySet()) {
        WorkerRecord rec = workers.get(w);
        if (rec == null || !rec.leaseUntil().isAfter(now)) {
          expired.add(w);
        }
      }
      for (WorkerRecord rec : workers.values()) {
        if (!rec.leaseUntil().isAfter(now)) {
          expired.add(rec.id());
        }
      }
      for (String w : expired) {
        List<MemoryJob> held = new ArrayList<>(runningByWorker.getOrDefault(w, Set.of()));
        held.sort(Comparator.comparingLong(j -> j.id));
        for (MemoryJob j : held) {
          if (out.size() >= limit) {
            break;
          }
          out.add(reclaim(j, now));
        }
        if (!runningByWorker.containsKey(w)) {
          workers.remove(w);
        }
      }
    }
    if (!out.isEmpty()) {
      listeners.fire();
    }
    return out;
  }

  private JobInfo reclaim(MemoryJob j, Instant now) {
    j.lost++;
    if (j.cancelRequested) {
      move(j, JobState.CANCELLED, now);
    } else if (j.lost >= j.policy.maxWorkerLost()) {
      j.deadReason = JobInfo.WORKER_LOST;
      j.error = JobError.of("dev.spindle.WorkerLostException", "job " + j.id + " lost its worker " + j.lost
          + " time(s) (limit " + j.policy.maxWorkerLost() + "); last worker: " + j.workerId).toJson();
      move(j, JobState.DEAD, now);
    } else {
      j.runAt = now;
      move(j, JobState.QUEUED, now);
    }
    return j.snapshot();
  }

  @Override
  public FinishedBatch finishedAfter(long cursor, int limit) {
    synchronized (lock) {
      checkOpen();
      List<JobInfo> out = new ArrayList<>();
      long last = cursor;
      for (Map.Entry<Long, MemoryJob> e : feed.tailMap(cursor, false).entrySet()) {
        if (out.size() >= limit) {
          break;
        }
        out.add(e.getValue().snapshot());
        last = e.getKey();
      }
      return new FinishedBatch(out, last);
    }
  }

  @Override
  public long finishCursor() {
    synchronized (lock) {
      checkOpen();
      return lastFinishSeq;
    }
  }

  @Override
  public ScheduleRecord saveSchedule(ScheduleRecord schedule) {
    ScheduleRecord r;
    synchronized (lock) {
      checkOpen();
      ScheduleRecord existing = schedules.get(schedule.name());
      if (existing != null && existing.definition().equals(schedule.definition())) {
        return existing;
      }
      r = new ScheduleRecord(schedule.name(), schedule.definition(), schedule.nextFireAt(),
          existing == null ? null : existing.lastFireAt(), existing == null ? 1 : existing.version() + 1,
          existing == null ? schedule.createdAt() : existing.createdAt());
      schedules.put(r.name(), r);
    }
    listeners.fire();
    return r;
  }

  @Override
  public boolean deleteSchedule(String scheduleName) {
    boolean removed;
    synchronized (lock) {
      checkOpen();
      removed = schedules.remove(scheduleName) != null;
      pausedSchedules.remove(scheduleName);
    }
    if (removed) {
      listeners.fire();
    }
    return removed;
  }

  @Override
  public List<ScheduleRecord> schedules() {
    synchronized (lock) {
      checkOpen();
      return List.copyOf(schedules.values());
    }
  }

  @Override
  public List<ScheduleRecord> dueSchedules(Instant now, int limit) {
    synchronized (lock) {
      checkOpen();
      return schedules.values().stream()
          .filter(s -> !s.nextFireAt().isAfter(now) && !pausedSchedules.contains(s.name()))
          .sorted(Comparator.comparing(ScheduleRecord::nextFireAt).thenComparing(ScheduleRecord::name))
          .limit(limit).toList();
    }
  }

  @Override
  public boolean fireSchedule(String scheduleName, long expectedVersion, Instant nextFireAt,
      @Nullable Instant firedTick, List<NewJob> newJobs) {
    synchronized (lock) {
      checkOpen();
      ScheduleRecord s = schedules.get(scheduleName);
      if (s == null || s.version() != expectedVersion) {
        return false;
      }
      List<EnqueueResult> fired = new ArrayList<>(newJobs.size());
      for (NewJob n : newJobs) {
        fired.add(insert(n, fired));
      }
      schedules.put(scheduleName, new ScheduleRecord(scheduleName, s.definition(), nextFireAt, firedTick,
          s.version() + 1, s.createdAt()));
    }
    listeners.fire();
    return true;
  }

  @Override
  public int purgeExpired(Instant callerNow, RetentionLimits retention) {
    int deleted = 0;
    synchronized (lock) {
      checkOpen();
      Instant now = clock.instant();
      while (deleted < retention.batch() && !byExpiry.isEmpty() && !byExpiry.first().expiry().isAfter(now)) {
        delete(byExpiry.first());
        deleted++;
      }
      while (deleted < retention.batch() && succeededByFinish.size() > retention.maxSucceeded()) {
        delete(succeededByFinish.first());
        deleted++;
      }
      while (deleted < retention.batch() && failedByFinish.size() > retention.maxFailed()) {
        delete(failedByFinish.first());
        deleted++;
      }
    }
    return deleted;
  }

  @Override
  public Subscription subscribe(Runnable onChange) {
    return listeners.add(onChange);
  }

  @Override
  public String describe() {
    return "memory:" + name;
  }

  @Override
  public void close() {
    if (closeable) {
      closed = true;
      listeners.clear();
    }
  }

  // ---------------------------------------------------------------- JobInspector

  /** This store itself: it is its own inspector. */
  @Override
  public JobInspector inspector() {
    return this;
  }

  @Override
  public QueueControl control() {
    return this;
  }

  @Override
  public AuditLog auditLog() {
    return this;
  }

  @Override
  public JobStatistics statistics() {
    return this;
  }

  @Override
  public List<JobInfo> listJobs(JobFilter filter) {
    synchronized (lock) {
      checkOpen();
      NavigableMap<Long, MemoryJob> view = filter.beforeId() == null ? jobs.descendingMap()
          : jobs.headMap(JobFilter.parseId(filter.beforeId()), false).descendingMap();
      List<JobInfo> out = new ArrayList<>();
      for (MemoryJob j : view.values()) {
        if (out.size() >= filter.limit()) {
          break;
        }
        if (matches(j, filter)) {
          out.add(j.snapshot());
        }
      }
      return out;
    }
  }

  private static boolean matches(MemoryJob j, JobFilter f) {
    return f.includes(j.state) && f.matchesFields(j.queue, j.task, j.args, j.error, j.createdAt, j.finishedAt);
  }

  @Override
  public Map<String, Instant> oldestReady() {
    synchronized (lock) {
      checkOpen();
      Map<String, Instant> out = new HashMap<>();
      ready.forEach((q, set) -> {
        for (MemoryJob j : set.all()) {
          Instant prev = out.get(q);
          if (prev == null || j.runAt.isBefore(prev)) {
            out.put(q, j.runAt);
          }
        }
      });
      return out;
    }
  }

  @Override
  public List<QueueSummary> queueSummaries() {
    synchronized (lock) {
      checkOpen();
      TreeMap<String, QueueSummary> out = new TreeMap<>();
      counts.forEach((q, c) -> {
        Map<JobState, Long> nonZero = new EnumMap<>(JobState.class);
        c.forEach((s, n) -> {
          if (n > 0) {
            nonZero.put(s, n);
          }
        });
        if (!nonZero.isEmpty()) {
          out.put(q, new QueueSummary(q, nonZero, limits.getOrDefault(q, 0)));
        }
      });
      limits.forEach((q, l) -> out.putIfAbsent(q, new QueueSummary(q, Map.of(), l)));
      return List.copyOf(out.values());
    }
  }

  @Override
  public List<WorkerRecord> workers() {
    synchronized (lock) {
      checkOpen();
      List<WorkerRecord> out = new ArrayList<>(workers.size());
      for (WorkerRecord w : workers.values()) {
        int held = runningByWorker.getOrDefault(w.id(), Set.of()).size();
        out.add(new WorkerRecord(w.id(), w.name(), w.host(), w.pid(), w.queues(), w.concurrency(), w.model(),
            w.state(), w.startedAt(), w.heartbeatAt(), w.leaseUntil(), held, w.processed(), w.failed(),
            w.ratePerSecond(), w.clockSkew()));
      }
      return out;
    }
  }

  @Override
  public JobInfo requeue(String jobId, Instant callerNow) {
    JobInfo r;
    synchronized (lock) {
      checkOpen();
      Instant now = clock.instant();
      MemoryJob j = lookup(jobId);
      if (j == null) {
        throw new JobNotFoundException(jobId);
      }
      JobState.checkRequeue(jobId, j.state);
      JobState to = JobState.QUEUED;
      if (deps.has(j.id)) {
        to = deps.retry(j.id);
        if (to == JobState.CANCELLED) {
          throw new IllegalJobTransitionException(jobId, j.state, JobState.QUEUED, "job " + jobId + " depends on"
              + " job " + deps.cancelledBy(j.id) + ", which ended in a way that cancels it: retry that one");
        }
        if (to == JobState.QUEUED) {
          j.args = deps.inputOf(j.id, j.args);
        }
      }
      j.failures = 0;
      j.lost = 0;
      j.deadReason = null;
      j.cancelRequested = false;
      j.runAt = now;
      j.error = null;
      move(j, to, now);
      deps.requeued(j.id, now);
      r = j.snapshot();
    }
    listeners.fire();
    return r;
  }

  @Override
  public List<DependencyEdge> dependencyEdges(String jobId) {
    synchronized (lock) {
      checkOpen();
      MemoryJob j = lookup(jobId);
      if (j == null) {
        throw new JobNotFoundException(jobId);
      }
      return deps.edgesOf(j.id);
    }
  }

  @Override
  public int purge(JobFilter filter) {
    for (JobState s : filter.states()) {
      if (!s.isTerminal()) {
        throw new IllegalArgumentException("only finished jobs can be purged, not " + s
            + " ones; cancel them first");
      }
    }
    JobFilter f = filter.states().isEmpty() ? filter.withStates(JobState.terminalStates()) : filter;
    int deleted = 0;
    synchronized (lock) {
      checkOpen();
      List<MemoryJob> victims = new ArrayList<>();
      for (MemoryJob j : jobs.descendingMap().values()) {
        if (victims.size() >= f.limit()) {
          break;
        }
        if (matches(j, f) && (f.beforeId() == null || j.id < JobFilter.parseId(f.beforeId()))) {
          victims.add(j);
        }
      }
      for (MemoryJob j : victims) {
        delete(j);
        deleted++;
      }
    }
    return deleted;
  }

  @Override
  public void setQueueLimit(String queue, int maxRunning) {
    JobOptions.validateQueue(queue);
    if (maxRunning < 0) {
      throw new IllegalArgumentException("a queue limit must be >= 0 (0 = none): " + maxRunning);
    }
    synchronized (lock) {
      checkOpen();
      if (maxRunning == 0) {
        limits.remove(queue);
      } else {
        limits.put(queue, maxRunning);
      }
    }
    listeners.fire();
  }

  @Override
  public Map<String, Integer> queueLimits() {
    synchronized (lock) {
      checkOpen();
      return Map.copyOf(limits);
    }
  }

  // ---------------------------------------------------------------- flow control

  @Override
  public FlowControl flow() {
    return this;
  }

  @Override
  public void putLimit(FlowLimit limit) {
    Objects.requireNonNull(limit, "limit");
    synchronized (lock) {
      checkOpen();
      flow.put(limit);
    }
    listeners.fire();
  }

  @Override
  public boolean defineLimit(FlowLimit limit) {
    Objects.requireNonNull(limit, "limit");
    synchronized (lock) {
      checkOpen();
      return flow.define(limit);
    }
  }

  @Override
  public boolean removeLimit(String limitName) {
    boolean removed;
    synchronized (lock) {
      checkOpen();
      removed = flow.remove(limitName);
    }
    listeners.fire();
    return removed;
  }

  @Override
  public List<FlowLimit> limits() {
    synchronized (lock) {
      checkOpen();
      return flow.limits();
    }
  }

  @Override
  public boolean pauseKey(String jobId, long fence, Instant until, Instant callerNow) {
    synchronized (lock) {
      checkOpen();
      MemoryJob j = lookup(jobId);
      if (j == null || j.state != JobState.RUNNING || j.fence != fence || j.flowKey == null) {
        return false;
      }
      flow.pause(j.flowKey, MemoryFlow.micros(StoreClock.read(clock, callerNow).translate(until)));
      return true;
    }
  }

  @Override
  public Optional<FlowHold> holdOf(String jobId) {
    synchronized (lock) {
      checkOpen();
      MemoryJob j = lookup(jobId);
      if (j == null || j.state != JobState.QUEUED || j.flowKey == null) {
        return Optional.empty();
      }
      return Optional.ofNullable(flow.hold(j.flowKey, MemoryFlow.micros(clock.instant())));
    }
  }

  // ---------------------------------------------------------------- queue control, audit

  @Override
  public void pauseQueue(String queue) {
    JobOptions.validateQueue(queue);
    synchronized (lock) {
      checkOpen();
      paused.add(queue);
    }
    listeners.fire();
  }

  @Override
  public void resumeQueue(String queue) {
    JobOptions.validateQueue(queue);
    synchronized (lock) {
      checkOpen();
      paused.remove(queue);
    }
    listeners.fire();
  }

  @Override
  public Set<String> pausedQueues() {
    synchronized (lock) {
      checkOpen();
      return Set.copyOf(paused);
    }
  }

  @Override
  public int requeueMatching(JobFilter filter, Instant callerNow) {
    JobFilter f = filter.withStates(QueueControl.statesWithin(filter, QueueControl.requeueStates(), "requeued"));
    int n = 0;
    synchronized (lock) {
      checkOpen();
      Instant now = clock.instant();
      for (MemoryJob j : victims(f)) {
        j.failures = 0;
        j.lost = 0;
        j.deadReason = null;
        j.cancelRequested = false;
        j.runAt = now;
        move(j, JobState.QUEUED, now);
        n++;
      }
    }
    if (n > 0) {
      listeners.fire();
    }
    return n;
  }

  @Override
  public int cancelMatching(JobFilter filter, Instant callerNow) {
    JobFilter f = filter.withStates(QueueControl.statesWithin(filter, QueueControl.cancelStates(), "cancelled"));
    int n = 0;
    synchronized (lock) {
      checkOpen();
      Instant now = clock.instant();
      for (MemoryJob j : victims(f)) {
        if (j.state == JobState.RUNNING) {
          j.cancelRequested = true;
        } else {
          move(j, JobState.CANCELLED, now);
        }
        n++;
      }
    }
    if (n > 0) {
      listeners.fire();
    }
    return n;
  }

  private List<MemoryJob> victims(JobFilter f) {
    NavigableMap<Long, MemoryJob> view = f.beforeId() == null ? jobs.descendingMap()
        : jobs.headMap(JobFilter.parseId(f.beforeId()), false).descendingMap();
    List<MemoryJob> out = new ArrayList<>();
    for (MemoryJob j : view.values()) {
      if (out.size() >= f.limit()) {
        break;
      }
      if (matches(j, f) && !(j.state == JobState.RUNNING && j.cancelRequested)) {
        out.add(j);
      }
    }
    return out;
  }

  @Override
  public DeleteResult deleteJob(String jobId) {
    synchronized (lock) {
      checkOpen();
      MemoryJob j = lookup(jobId);
      if (j == null) {
        return DeleteResult.NOT_FOUND;
      }
      if (!j.state.isTerminal()) {
        return DeleteResult.NOT_FINISHED;
      }
      delete(j);
      return DeleteResult.DELETED;
    }
  }

  @Override
  public void appendAudit(AuditRecord r) {
    synchronized (lock) {
      checkOpen();
      audit.addFirst(new AuditRecord(++auditSeq, r.at(), r.user(), r.action(), r.target(), r.detail()));
      if (audit.size() > AuditLog.KEPT) {
        audit.removeLast();
      }
    }
  }

  @Override
  public List<AuditRecord> recentAudit(int limit) {
    synchronized (lock) {
      checkOpen();
      return audit.stream().limit(limit).toList();
    }
  }

  // ---------------------------------------------------------------- internals

  /** The job with this id, which the caller knows exists. */
  private MemoryJob job(long id) {
    return Objects.requireNonNull(jobs.get(id), () -> "job " + id);
  }

  private @Nullable MemoryJob lookup(String jobId) {
    long id;
    try {
      id = Long.parseLong(jobId);
    } catch (NumberFormatException e) {
      return null;
    }
    return jobs.get(id);
  }

  /** Applies a checked transition, keeping every index in step. */
  private void move(MemoryJob j, JobState to, Instant now) {
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
    public Workflows.End endOf(long id) {
      MemoryJob j = jobs.get(id);
      return j == null ? new Workflows.End(Long.toString(id), JobState.CANCELLED, null, null)
          : new Workflows.End(Long.toString(id), j.state, j.result, j.error);
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

  private void countMove(MemoryJob j, JobState to, Instant now) {
    switch (to) {
      case RUNNING -> {
        count(now, MinuteStats.STARTED, 1);
        count(now, MinuteStats.WAIT_BASE + MinuteStats.bucket(Duration.between(j.runAt, now)), 1);
      }
      case SUCCEEDED -> count(now, MinuteStats.SUCCEEDED, 1);
      case FAILED -> count(now, MinuteStats.FAILED, 1);
      case DEAD -> count(now, MinuteStats.DEAD, 1);
      case CANCELLED -> count(now, MinuteStats.CANCELLED, 1);
      default -> {
        // no counter
      }
    }
  }

  private void count(Instant now, int counter, long n) {
    long minute = MinuteStats.minuteOf(now);
    stats.computeIfAbsent(minute, m -> new HashMap<>()).merge(counter, n, Long::sum);
    long keptFrom = minute - MinuteStats.KEPT.toSeconds();
    while (!stats.isEmpty() && stats.firstKey() < keptFrom) {
      stats.pollFirstEntry();
    }
  }

  // ---------------------------------------------------------------- statistics, schedule pausing

  @Override
  public List<MinuteStats> minutes(Instant from, Instant to) {
    synchronized (lock) {
      checkOpen();
      List<MinuteStats> out = new ArrayList<>();
      if (from.isBefore(to)) {
        stats.subMap(MinuteStats.minuteOf(from), true, to.getEpochSecond(), to.getNano() > 0)
            .forEach((m, c) -> out.add(MinuteStats.fromCounters(Instant.ofEpochSecond(m), c)));
      }
      return out;
    }
  }

  @Override
  public Optional<Instant> oldestWaiting() {
    synchronized (lock) {
      checkOpen();
      MemoryJob oldest = null;
      for (MemoryReady set : ready.values()) {
        for (MemoryJob j : set.all()) {
          if (oldest == null || j.id < oldest.id) {
            oldest = j;
          }
        }
      }
      return oldest == null ? Optional.empty() : Optional.of(oldest.runAt);
    }
  }

  @Override
  public boolean pauseSchedule(String scheduleName) {
    synchronized (lock) {
      checkOpen();
      if (!schedules.containsKey(scheduleName)) {
        return false;
      }
      pausedSchedules.add(scheduleName);
    }
    listeners.fire();
    return true;
  }

  @Override
  public boolean resumeSchedule(String scheduleName) {
    synchronized (lock) {
      checkOpen();
      if (!schedules.containsKey(scheduleName)) {
        return false;
      }
      pausedSchedules.remove(scheduleName);
    }
    listeners.fire();
    return true;
  }

  @Override
  public Set<String> pausedSchedules() {
    synchronized (lock) {
      checkOpen();
      return Set.copyOf(pausedSchedules);
    }
  }

  private void index(MemoryJob j) {
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
        (isSuccessLike(j.state) ? succeededByFinish : failedByFinish).add(j);
      }
    }
  }

  private void unindex(MemoryJob j) {
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
        (isSuccessLike(j.state) ? succeededByFinish : failedByFinish).remove(j);
      }
    }
  }

  private static boolean isSuccessLike(JobState s) {
    return s == JobState.SUCCEEDED || s == JobState.CANCELLED;
  }

  private void delete(MemoryJob j) {
    unindex(j);
    jobs.remove(j.id);
    deps.deleted(j.id);
    if (j.uniqueKey != null) {
      uniqueKeys.remove(j.uniqueKey, j.id);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreException(StoreException.Reason.CLOSED, "the job store " + describe() + " is closed");
    }
  }

  /** Jobs per state over all queues (for tests and diagnostics). */
  public Map<JobState, Long> countByState() {
    synchronized (lock) {
      Map<JobState, Long> out = new EnumMap<>(JobState.class);
      counts.values().forEach(c -> c.forEach((s, n) -> out.merge(s, n, Long::sum)));
      return out;
    }
  }
}
