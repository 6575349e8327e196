package dev.spindle.store.redis;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.AttemptLedger;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.FlowAdmin;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.IncidentLog;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.queue.store.ChangeListeners;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One logical queue spread over N Redis namespaces ("partitions") whose hash tags put them on
 * different Cluster slots, so one hot queue uses several shards' cores. Partition 0 is the
 * configured namespace itself (an existing store can grow into partitions); partition {@code p >
 * 0} is the namespace {@code <namespace>.p<p>}. Each partition is an ordinary {@link
 * RedisJobStore}, so everything inside a partition keeps that store's atomicity and guarantees.
 *
 * <p><b>Routing.</b> A job id is the partition's own id followed by the partition as three digits
 * ({@code 42} on partition 2 is {@code 42002}), so find, cancel, complete and every inspector call
 * on one job go straight to its shard. An enqueue batch goes whole to one partition, taken
 * round-robin (so a batch stays all or none); a job with a unique key goes to the partition its key
 * hashes to (so the key is unique across the queue); {@link #enqueueByKey} sends a batch to the
 * partition of an ordering key (jobs of one key keep their order); a workflow (dependencies) goes
 * to its dependencies' partition. Schedules, the audit log and the clock live on partition 0.
 *
 * <p><b>Claims.</b> A claim takes queue after queue in the request's order and, for each, the
 * partitions in a rotating order, until it has {@code max} jobs; the jobs it returns are sorted by
 * queue order, priority, then id. A partition whose claim found nothing for a queue is skipped for
 * that queue until its pub/sub channel says something changed (that claim armed the partition's
 * wake-up, as every claim that finds too few does), this instance writes to it, its next
 * due job's time comes, or {@link #EMPTY_RECHECK} passes (real time), so an idle partition costs no
 * round trips on busy claims. A claim that also completes (an exchange) runs on the partition of
 * its completions in one round trip, and rotates away from it every {@link #STICKY_EXCHANGES}th call.
 *
 * <p><b>What becomes per partition</b> (docs/REDIS-SCALE.md): priority order and FIFO (a claim
 * merges what it took, but jobs left on other partitions may be older or of higher priority), queue
 * limits (each partition enforces the limit: a queue may run up to N times it), pausing (applied to
 * every partition, not atomically), job ids (increasing per partition), unique keys (per key's
 * partition, which changes when N changes). The finished feed stays one ordered stream: a finish
 * sequence is {@code seq * 1000 + partition}; a feed read first raises every partition's counter to
 * the highest, so no later finish can sort before a delivered one.
 *
 * <p><b>A shard down.</b> A partition whose call fails with UNAVAILABLE is skipped by claims for
 * {@link #DOWN_RECHECK}; its jobs wait. Completions for it are kept by this instance and written
 * when it answers again (reported applied; if this process dies first, the jobs are reclaimed after
 * their lease and run again, as after a worker crash). Heartbeats and reclaims skip it.
 *
 * <p>Thread-safe. Each partition keeps its own connections (N command and N pub/sub connections).
 */
public final class PartitionedRedisJobStore implements StoreBackend {
  /** The most partitions: the last three digits of a job id name its partition. */
  public static final int MAX_PARTITIONS = 1000;
  /** How long a partition found empty (or unreachable) is skipped without a wake-up, in real time. */
  public static final Duration EMPTY_RECHECK = Duration.ofMillis(500);
  /** How long a partition whose shard did not answer is skipped, in real time. */
  public static final Duration DOWN_RECHECK = Duration.ofSeconds(1);
  /** An exchange stays on its completions' partition for this many calls, then rotates. */
  public static final int STICKY_EXCHANGES = 8;

  private final RedisStoreConfig config;
  private final RedisJobStore[] parts;
  private final Partitions partitions;
  private final PartitionedEnqueue enqueuer;
  private final PartitionedClaims claims;
  private final PartitionedWorkers workers;
  private final PartitionedFeed feed;
  private final PartitionedInspector inspector;
  private final PartitionedDurable durable;
  private final PartitionedAttempts attempts;
  private final PartitionedProgress progress;
  private final ChangeListeners listeners = new ChangeListeners();
  private final List<Subscription> wakeUps = new ArrayList<>();

  private PartitionedRedisJobStore(RedisStoreConfig config, RedisJobStore[] parts) {
    this.config = config;
    this.parts = parts;
    this.partitions = new Partitions(parts, config.partitions());
    this.enqueuer = new PartitionedEnqueue(partitions, config.describe());
    this.claims = new PartitionedClaims(partitions);
    this.workers = new PartitionedWorkers(partitions, claims);
    this.feed = new PartitionedFeed(partitions);
    this.inspector = new PartitionedInspector(partitions);
    this.durable = new PartitionedDurable(partitions);
    this.attempts = new PartitionedAttempts(partitions);
    this.progress = new PartitionedProgress(partitions);
    for (int p = 0; p < parts.length; p++) {
      int partition = p;
      wakeUps.add(parts[p].subscribe(() -> {
        partitions.wake(partition);
        listeners.fire();
      }));
    }
  }

  /**
   * Opens the partitions {@code 0 .. config.drainUpTo()-1}.
   *
   * @throws StoreException as {@link RedisJobStore#open(RedisStoreConfig)}
   */
  public static PartitionedRedisJobStore open(RedisStoreConfig config) {
    return open(config, null);
  }

  /** For tests: {@link #open(RedisStoreConfig)} with {@code clock} in place of Redis {@code TIME}. */
  public static PartitionedRedisJobStore open(RedisStoreConfig config, @Nullable Clock clock) {
    Objects.requireNonNull(config, "config");
    RedisJobStore[] parts = new RedisJobStore[config.drainUpTo()];
    try {
      for (int p = 0; p < parts.length; p++) {
        parts[p] = RedisJobStore.open(config.forPartition(namespace(config.namespace(), p)), clock);
      }
    } catch (RuntimeException e) {
      for (RedisJobStore s : parts) {
        if (s != null) {
          s.close();
        }
      }
      throw e;
    }
    return new PartitionedRedisJobStore(config, parts);
  }

  /** The namespace of partition {@code p} of {@code namespace}: itself for 0, else {@code namespace.p<p>}. */
  public static String namespace(String namespace, int p) {
    return p == 0 ? namespace : namespace + ".p" + p;
  }

  /** How many partitions there are (including draining ones). */
  public int partitionCount() {
    return parts.length;
  }

  /** Partition {@code p}'s own store (its ids are local), for tests and tools. */
  public RedisJobStore partition(int p) {
    return parts[p];
  }

  /** The partition of a job id, or -1 if the id names none. */
  public int partitionOf(String jobId) {
    return partitions.partitionOf(jobId);
  }

  /** The partition jobs with this ordering or unique key go to. */
  public int partitionFor(String key) {
    return partitions.partitionFor(key);
  }

  // ---------------------------------------------------------------- enqueue (see PartitionedEnqueue)

  @Override
  public List<EnqueueResult> enqueue(List<NewJob> jobs) {
    return enqueuer.enqueue(jobs);
  }

  /**
   * Enqueues a batch on the partition of {@code orderingKey}, all or none: jobs enqueued with one
   * key are claimed in their order (within their priority), whatever N workers do elsewhere.
   */
  public List<EnqueueResult> enqueueByKey(String orderingKey, List<NewJob> jobs) {
    return enqueuer.enqueueByKey(orderingKey, jobs);
  }

  @Override
  public List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    return enqueuer.addChildren(parentId, fence, jobs, exits);
  }

  // ---------------------------------------------------------------- one job

  @Override
  public Optional<JobInfo> find(String jobId) {
    int p = partitionOf(jobId);
    return p < 0 ? Optional.empty() : parts[p].find(Partitions.local(jobId)).map(j -> Partitions.global(j, p));
  }

  @Override
  public CancelResult cancel(String jobId, Instant now) {
    int p = partitionOf(jobId);
    if (p < 0) {
      return CancelResult.NOT_FOUND;
    }
    CancelResult r = parts[p].cancel(Partitions.local(jobId), now);
    partitions.wake(p);
    return r;
  }

  // ---------------------------------------------------------------- claims and completions (see PartitionedClaims)

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

  /** How many completions this instance keeps for partitions that were down (for tests and status). */
  public int pendingCompletions() {
    return partitions.keptCount();
  }

  // ---------------------------------------------------------------- workers (see PartitionedWorkers)

  @Override
  public HeartbeatResult heartbeat(WorkerRecord worker) {
    return workers.heartbeat(worker);
  }

  @Override
  public void deregisterWorker(String workerId, Instant now) {
    workers.deregisterWorker(workerId, now);
  }

  @Override
  public List<JobInfo> reclaimExpired(Instant now, int limit) {
    return workers.reclaimExpired(now, limit);
  }

  // ---------------------------------------------------------------- the finished feed (see PartitionedFeed)

  @Override
  public FinishedBatch finishedAfter(long cursor, int limit) {
    return feed.finishedAfter(cursor, limit);
  }

  @Override
  public long finishCursor() {
    return feed.finishCursor();
  }

  // ---------------------------------------------------------------- schedules (partition 0)

  @Override
  public ScheduleRecord saveSchedule(ScheduleRecord schedule) {
    return parts[0].saveSchedule(schedule);
  }

  @Override
  public boolean deleteSchedule(String name) {
    return parts[0].deleteSchedule(name);
  }

  @Override
  public List<ScheduleRecord> schedules() {
    return parts[0].schedules();
  }

  @Override
  public List<ScheduleRecord> dueSchedules(Instant now, int limit) {
    return parts[0].dueSchedules(now, limit);
  }

  @Override
  public boolean fireSchedule(String name, long expectedVersion, Instant nextFireAt, @Nullable Instant firedTick,
      List<NewJob> jobs) {
    boolean fired = parts[0].fireSchedule(name, expectedVersion, nextFireAt, firedTick, jobs);
    partitions.wake(0);
    return fired;
  }

  @Override
  public int purgeExpired(Instant now, RetentionLimits limits) {
    int n = 0;
    for (int p = 0; p < parts.length && n < limits.batch(); p++) {
      n += parts[p].purgeExpired(now,
          new RetentionLimits(limits.maxSucceeded(), limits.maxFailed(), limits.batch() - n));
    }
    return n;
  }

  /**
   * Calls {@code onChange} after a change on any partition. {@link Subscription#waiting()} arms
   * every partition's wake-up (a partition publishes only while somebody waits).
   */
  @Override
  public Subscription subscribe(Runnable onChange) {
    Subscription added = listeners.add(onChange);
    return new Subscription() {
      @Override
      public void waiting() {
        wakeUps.forEach(Subscription::waiting);
      }

      @Override
      public void close() {
        added.close();
      }
    };
  }

  @Override
  public Instant storeTime() {
    return parts[0].storeTime();
  }

  @Override
  public String describe() {
    return config.describe();
  }

  @Override
  public void close() {
    wakeUps.forEach(Subscription::close);
    for (RedisJobStore p : parts) {
      p.close();
    }
  }

  @Override
  public JobInspector inspector() {
    return inspector;
  }

  @Override
  public QueueControl control() {
    return inspector;
  }

  @Override
  public AuditLog auditLog() {
    return parts[0].auditLog();
  }

  /**
   * The first partition's incidents: an incident is about a queue or a worker, which span the
   * partitions, so one partition keeps them all (as it keeps the audit log), and racing detectors
   * still meet on one open key.
   */
  @Override
  public Optional<IncidentLog> incidents() {
    return parts[0].incidents();
  }

  /** None: the partitions keep their own statistics, and no view merges them. */
  /**
   * Durable execution, each call on the partition that holds the job (a unique key's or a memoized
   * result's key on the partition it hashes to).
   */
  @Override
  public Optional<DurableStore> durable() {
    return Optional.of(durable);
  }

  /** The attempts ledger, each job's on the partition that holds it. */
  @Override
  public Optional<AttemptLedger> attempts() {
    return Optional.of(attempts);
  }

  /** What running jobs report, each batch split by partition, one script per partition. */
  @Override
  public Optional<dev.spindle.queue.spi.ProgressStore> progress() {
    return Optional.of(progress);
  }

  @Override
  public Optional<JobStatistics> statistics() {
    return Optional.empty();
  }

  /** None: the partitioned claim enforces no flow limits. */
  @Override
  public Optional<FlowAdmin> flowAdmin() {
    return Optional.empty();
  }

  /** Sets the limit on every partition: each enforces it, so the queue may run up to N times it. */
  @Override
  public void setQueueLimit(String queue, int maxRunning) {
    inspector.setQueueLimit(queue, maxRunning);
  }

  @Override
  public String toString() {
    return "PartitionedRedisJobStore[" + describe() + "]";
  }
}
