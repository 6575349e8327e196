package dev.spindle.queue.memory;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.AttemptLedger;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.AuditRecord;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.FlowAdmin;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.FlowHold;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.IncidentLog;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.spi.UnroutableTask;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.queue.spi.WorkflowControl;
import dev.spindle.queue.store.UnroutableTasks;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 *
 * <p>This class is the store's face; the work is done by its parts, which share one {@link MemoryData}
 * (the jobs, their indexes and the lock): {@link MemoryEnqueue}, {@link MemoryClaims} (the worker
 * side), {@link MemoryQueries} (the read side), {@link MemoryControl} (the operator's side),
 * {@link MemoryLimits} (flow control), {@link MemorySchedules} and {@link MemoryDurable} (durable
 * execution).
 */
public final class InMemoryJobStore implements StoreBackend, JobInspector, QueueControl, AuditLog, JobStatistics,
    FlowControl, FlowAdmin {
  private final MemoryData data;
  private final MemoryEnqueue enqueue;
  private final MemoryClaims claims;
  private final MemoryQueries queries;
  private final MemoryControl operations;
  private final Optional<WorkflowControl> workflows;
  private final MemoryLimits flowOps;
  private final MemorySchedules scheduling;
  private final MemoryDurable durableOps;
  private final MemoryLedger ledger;
  private final MemoryProgress progressOps;
  private final MemoryIncidents incidentLog = new MemoryIncidents();

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
    this.data = new MemoryData(name, closeable, clock);
    this.enqueue = new MemoryEnqueue(data);
    this.claims = new MemoryClaims(data);
    this.queries = new MemoryQueries(data);
    this.operations = new MemoryControl(data);
    this.workflows = Optional.of(operations::resume);
    this.flowOps = new MemoryLimits(data);
    this.scheduling = new MemorySchedules(data, enqueue);
    this.durableOps = new MemoryDurable(data);
    this.ledger = new MemoryLedger(data);
    this.progressOps = new MemoryProgress(data);
  }

  /**
   * An empty store like {@link #InMemoryJobStore(String, Clock)} whose attempts ledger keeps the
   * entries of each job's last {@code attemptsKept} claims (default {@value AttemptLedger#DEFAULT_KEEP}).
   *
   * @throws IllegalArgumentException if {@code attemptsKept < 1}
   */
  public InMemoryJobStore(String name, Clock clock, int attemptsKept) {
    this(name, true, clock);
    if (attemptsKept < 1) {
      throw new IllegalArgumentException("attemptsKept must be >= 1: " + attemptsKept);
    }
    data.attemptsKept = attemptsKept;
  }

  @Override
  public Optional<AttemptLedger> attempts() {
    return Optional.of(ledger);
  }

  @Override
  public Instant storeTime() {
    return data.clock.instant();
  }

  @Override
  public Subscription subscribe(Runnable onChange) {
    return data.listeners.add(onChange);
  }

  @Override
  public String describe() {
    return data.describe();
  }

  @Override
  public void close() {
    if (data.closeable) {
      data.closed = true;
      data.listeners.clear();
    }
  }

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
  public Optional<JobStatistics> statistics() {
    return Optional.of(this);
  }

  @Override
  public Optional<FlowControl> flow() {
    return Optional.of(this);
  }

  /** Step records, timers, signals and memoized results, under the store's lock. */
  @Override
  public Optional<DurableStore> durable() {
    return Optional.of(durableOps);
  }

  /** Progress and log lines kept on each job ({@link MemoryProgress}), removed with it. */
  @Override
  public Optional<dev.spindle.queue.spi.ProgressStore> progress() {
    return Optional.of(progressOps);
  }

  @Override
  public Optional<FlowAdmin> flowAdmin() {
    return Optional.of(this);
  }

  /** Incidents in memory, under a lock of their own. */
  @Override
  public Optional<IncidentLog> incidents() {
    return Optional.of(incidentLog);
  }

  @Override
  public List<EnqueueResult> enqueue(List<NewJob> newJobs) {
    return enqueue.enqueue(newJobs);
  }

  @Override
  public List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> newJobs, List<Integer> exits) {
    return enqueue.addChildren(parentId, fence, newJobs, exits);
  }

  @Override
  public ClaimResult claim(ClaimRequest request) {
    return claims.claim(request);
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    return claims.complete(completions, now);
  }

  @Override
  public Exchange completeAndClaim(List<Completion> completions, @Nullable ClaimRequest request, Instant now) {
    return claims.completeAndClaim(completions, request, now);
  }

  @Override
  public HeartbeatResult heartbeat(WorkerRecord worker) {
    return claims.heartbeat(worker);
  }

  @Override
  public void deregisterWorker(String workerId, Instant callerNow) {
    claims.deregisterWorker(workerId, callerNow);
  }

  @Override
  public List<JobInfo> reclaimExpired(Instant callerNow, int limit) {
    return claims.reclaimExpired(callerNow, limit);
  }

  @Override
  public Optional<JobInfo> find(String jobId) {
    return queries.find(jobId);
  }

  @Override
  public FinishedBatch finishedAfter(long cursor, int limit) {
    return queries.finishedAfter(cursor, limit);
  }

  @Override
  public long finishCursor() {
    return queries.finishCursor();
  }

  @Override
  public List<JobInfo> listJobs(JobFilter filter) {
    return queries.listJobs(filter);
  }

  @Override
  public Map<String, Instant> oldestReady() {
    return queries.oldestReady();
  }

  @Override
  public List<QueueSummary> queueSummaries() {
    return queries.queueSummaries();
  }

  /** Counts by walking the QUEUED jobs of each queue (at most {@link UnroutableTask#SCAN_LIMIT}). */
  @Override
  public List<UnroutableTask> unroutable(Instant now) {
    return UnroutableTasks.byListing(this, now);
  }

  @Override
  public List<WorkerRecord> workers() {
    return queries.workers();
  }

  @Override
  public List<DependencyEdge> dependencyEdges(String jobId) {
    return queries.dependencyEdges(jobId);
  }

  @Override
  public List<MinuteStats> minutes(Instant from, Instant to) {
    return queries.minutes(from, to);
  }

  @Override
  public Optional<Instant> oldestWaiting() {
    return queries.oldestWaiting();
  }

  /** Jobs per state over all queues (for tests and diagnostics). */
  public Map<JobState, Long> countByState() {
    return queries.countByState();
  }

  @Override
  public CancelResult cancel(String jobId, Instant callerNow) {
    return operations.cancel(jobId, callerNow);
  }

  @Override
  public JobInfo requeue(String jobId, Instant callerNow) {
    return operations.requeue(jobId, callerNow);
  }

  @Override
  public Optional<WorkflowControl> workflows() {
    return workflows;
  }

  @Override
  public int purge(JobFilter filter) {
    return operations.purge(filter);
  }

  @Override
  public void setQueueLimit(String queue, int maxRunning) {
    operations.setQueueLimit(queue, maxRunning);
  }

  @Override
  public Map<String, Integer> queueLimits() {
    return operations.queueLimits();
  }

  @Override
  public void pauseQueue(String queue) {
    operations.pauseQueue(queue);
  }

  @Override
  public void resumeQueue(String queue) {
    operations.resumeQueue(queue);
  }

  @Override
  public Set<String> pausedQueues() {
    return operations.pausedQueues();
  }

  @Override
  public int requeueMatching(JobFilter filter, Instant callerNow) {
    return operations.requeueMatching(filter, callerNow);
  }

  @Override
  public int cancelMatching(JobFilter filter, Instant callerNow) {
    return operations.cancelMatching(filter, callerNow);
  }

  @Override
  public DeleteResult deleteJob(String jobId) {
    return operations.deleteJob(jobId);
  }

  @Override
  public int purgeExpired(Instant callerNow, RetentionLimits retention) {
    return operations.purgeExpired(callerNow, retention);
  }

  @Override
  public void appendAudit(AuditRecord r) {
    operations.appendAudit(r);
  }

  @Override
  public List<AuditRecord> recentAudit(int limit) {
    return operations.recentAudit(limit);
  }

  @Override
  public void putLimit(FlowLimit limit) {
    flowOps.putLimit(limit);
  }

  @Override
  public boolean defineLimit(FlowLimit limit) {
    return flowOps.defineLimit(limit);
  }

  @Override
  public boolean removeLimit(String limitName) {
    return flowOps.removeLimit(limitName);
  }

  @Override
  public List<FlowLimit> limits() {
    return flowOps.limits();
  }

  @Override
  public boolean pauseKey(String jobId, long fence, Instant until, Instant callerNow) {
    return flowOps.pauseKey(jobId, fence, until, callerNow);
  }

  @Override
  public List<dev.spindle.queue.spi.FlowKeyState> keys(String limit, int max) {
    return flowOps.keys(limit, max);
  }

  @Override
  public Optional<FlowHold> holdOf(String jobId) {
    return flowOps.holdOf(jobId);
  }

  @Override
  public ScheduleRecord saveSchedule(ScheduleRecord schedule) {
    return scheduling.saveSchedule(schedule);
  }

  @Override
  public boolean deleteSchedule(String scheduleName) {
    return scheduling.deleteSchedule(scheduleName);
  }

  @Override
  public List<ScheduleRecord> schedules() {
    return scheduling.schedules();
  }

  @Override
  public List<ScheduleRecord> dueSchedules(Instant now, int limit) {
    return scheduling.dueSchedules(now, limit);
  }

  @Override
  public boolean fireSchedule(String scheduleName, long expectedVersion, Instant nextFireAt,
      @Nullable Instant firedTick, List<NewJob> newJobs) {
    return scheduling.fireSchedule(scheduleName, expectedVersion, nextFireAt, firedTick, newJobs);
  }

  @Override
  public boolean pauseSchedule(String scheduleName) {
    return scheduling.pauseSchedule(scheduleName);
  }

  @Override
  public boolean resumeSchedule(String scheduleName) {
    return scheduling.resumeSchedule(scheduleName);
  }

  @Override
  public Set<String> pausedSchedules() {
    return scheduling.pausedSchedules();
  }
}
