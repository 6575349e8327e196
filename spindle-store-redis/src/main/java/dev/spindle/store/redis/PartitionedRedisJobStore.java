package dev.spindle.store.redis;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.AuditLog;
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
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.spi.WorkerRecord;
import io.lettuce.core.ScriptOutputType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
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
public final class PartitionedRedisJobStore implements JobStore, JobInspector, QueueControl {
  /** The most partitions: the last three digits of a job id name its partition. */
  public static final int MAX_PARTITIONS = 1000;
  /** How long a partition found empty (or unreachable) is skipped without a wake-up, in real time. */
  public static final Duration EMPTY_RECHECK = Duration.ofMillis(500);
  /** How long a partition whose shard did not answer is skipped, in real time. */
  public static final Duration DOWN_RECHECK = Duration.ofSeconds(1);
  /** An exchange stays on its completions' partition for this many calls, then rotates. */
  public static final int STICKY_EXCHANGES = 8;

  private static final String RAISE_SEQ = "local c = tonumber(redis.call('GET', KEYS[1]) or '0') "
      + "local t = tonumber(ARGV[1]) if c < t then redis.call('SET', KEYS[1], ARGV[1]) return t end return c";

  private final RedisStoreConfig config;
  private final RedisJobStore[] parts;
  /** Partitions new jobs go to (0..active-1); the rest are drained. */
  private final int active;
  private final AtomicLong roundRobin = new AtomicLong();
  private final AtomicLong turn = new AtomicLong();
  /** Per partition: queue -> when to look again. */
  private final List<ConcurrentHashMap<String, Mark>> empty = new ArrayList<>();
  /** Per partition: bumped by every wake-up, so a claim that raced one does not mark it empty. */
  private final AtomicLongArray generation;
  /** Per partition: real time (nanoTime) until which it counts as down, 0 if up. */
  private final AtomicLongArray downUntil;
  /** Per partition: completions not yet written because the shard was down. */
  private final List<List<Completion>> pending = new ArrayList<>();
  private final ChangeListeners listeners = new ChangeListeners();
  private final List<Subscription> wakeUps = new ArrayList<>();

  private record Mark(Instant recheckAt, long realDeadline, @Nullable Instant nextRunAt) {}

  private PartitionedRedisJobStore(RedisStoreConfig config, RedisJobStore[] parts) {
    this.config = config;
    this.parts = parts;
    this.active = config.partitions();
    this.generation = new AtomicLongArray(parts.length);
    this.downUntil = new AtomicLongArray(parts.length);
    for (int p = 0; p < parts.length; p++) {
      empty.add(new ConcurrentHashMap<>());
      pending.add(new ArrayList<>());
      int partition = p;
      wakeUps.add(parts[p].subscribe(() -> {
        wake(partition);
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
    long v = parse(jobId);
    if (v < MAX_PARTITIONS) {
      return -1;
    }
    int p = (int) (v % MAX_PARTITIONS);
    return p < parts.length ? p : -1;
  }

  /** The partition jobs with this ordering or unique key go to. */
  public int partitionFor(String key) {
    return Math.floorMod(key.hashCode(), active);
  }

  private static long parse(@Nullable String id) {
    if (id == null || id.isEmpty() || id.length() > 18) {
      return -1;
    }
    for (int i = 0; i < id.length(); i++) {
      if (id.charAt(i) < '0' || id.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(id);
  }

  private static String local(String globalId) {
    return Long.toString(Long.parseLong(globalId) / MAX_PARTITIONS);
  }

  private static String global(String localId, int p) {
    return Long.toString(Long.parseLong(localId) * MAX_PARTITIONS + p);
  }

  private static long globalSeq(long seq, int p) {
    return seq == 0 ? 0 : seq * MAX_PARTITIONS + p;
  }

  private static JobInfo global(JobInfo j, int p) {
    return new JobInfo(global(j.id(), p), j.task(), j.queue(), j.state(), j.priority(), j.argsJson(), j.resultJson(),
        j.errorJson(), j.deadReason(), j.uniqueKey(), j.attempt(), j.failures(), j.workerLost(), j.fence(),
        j.workerId(), j.cancelRequested(), j.createdAt(), j.runAt(), j.startedAt(), j.finishedAt(), j.expiresAt(),
        globalSeq(j.finishSeq(), p), j.policy(), j.traceContext());
  }

  private static List<JobInfo> global(List<JobInfo> jobs, int p) {
    List<JobInfo> out = new ArrayList<>(jobs.size());
    for (JobInfo j : jobs) {
      out.add(global(j, p));
    }
    return out;
  }

  private static EnqueueResult global(EnqueueResult r, int p) {
    return new EnqueueResult(global(r.jobId(), p), r.created(), r.state());
  }

  private static Completion local(Completion c) {
    return new Completion(local(c.jobId()), c.fence(), c.workerId(), c.outcome(), c.resultJson(), c.errorJson(),
        c.deadReason(), c.retryAt());
  }

  /** Something may have changed on partition p: look at it again. */
  private void wake(int p) {
    generation.incrementAndGet(p);
    empty.get(p).clear();
  }

  private boolean down(int p) {
    long until = downUntil.get(p);
    return until != 0 && System.nanoTime() - until < 0;
  }

  private void markDown(int p) {
    downUntil.set(p, System.nanoTime() + DOWN_RECHECK.toNanos());
  }

  private static boolean unavailable(StoreException e) {
    return e.reason() == StoreException.Reason.UNAVAILABLE;
  }

  // ---------------------------------------------------------------- enqueue

  @Override
  public List<EnqueueResult> enqueue(List<NewJob> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    int batchPartition = (int) Math.floorMod(roundRobin.getAndIncrement(), (long) active);
    for (NewJob j : jobs) {
      if (!j.dependsOn().isEmpty()) {
        return enqueueWorkflow(jobs, batchPartition);
      }
    }
    Map<Integer, List<Integer>> groups = new TreeMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      String u = jobs.get(i).uniqueKey();
      int p = u == null ? batchPartition : partitionFor(u);
      groups.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
    }
    EnqueueResult[] out = new EnqueueResult[jobs.size()];
    for (Map.Entry<Integer, List<Integer>> g : groups.entrySet()) {
      int p = g.getKey();
      List<NewJob> part = new ArrayList<>(g.getValue().size());
      for (int i : g.getValue()) {
        part.add(jobs.get(i));
      }
      List<EnqueueResult> r = parts[p].enqueue(part);
      wake(p);
      for (int k = 0; k < r.size(); k++) {
        out[g.getValue().get(k)] = global(r.get(k), p);
      }
    }
    return List.of(out);
  }

  /**
   * Enqueues a batch on the partition of {@code orderingKey}, all or none: jobs enqueued with one
   * key are claimed in their order (within their priority), whatever N workers do elsewhere.
   */
  public List<EnqueueResult> enqueueByKey(String orderingKey, List<NewJob> jobs) {
    int p = partitionFor(orderingKey);
    List<EnqueueResult> r = parts[p].enqueue(jobs);
    wake(p);
    return r.stream().map(e -> global(e, p)).toList();
  }

  private List<EnqueueResult> enqueueWorkflow(List<NewJob> jobs, int fallback) {
    int p = -1;
    for (NewJob j : jobs) {
      for (Dependency d : j.dependsOn()) {
        if (!d.on().startsWith("#")) {
          int q = partitionOf(d.on());
          if (q < 0) {
            throw new IllegalArgumentException("dependency on unknown job " + d.on());
          }
          if (p >= 0 && q != p) {
            throw new IllegalArgumentException("a workflow's dependencies must be on one partition of "
                + describe() + ": jobs " + d.on() + " and others are on partitions " + p + " and " + q);
          }
          p = q;
        }
      }
    }
    int target = p < 0 ? fallback : p;
    List<NewJob> mapped = new ArrayList<>(jobs.size());
    for (NewJob j : jobs) {
      List<Dependency> deps = j.dependsOn().stream()
          .map(d -> d.on().startsWith("#") ? d : new Dependency(local(d.on()), d.policy())).toList();
      mapped.add(new NewJob(j.task(), j.argsJson(), j.queue(), j.priority(), j.runAt(), j.uniqueKey(), j.policy(),
          j.createdAt(), deps, j.input(), j.traceContext(), j.flowKey()));
    }
    List<EnqueueResult> r = parts[target].enqueue(mapped);
    wake(target);
    return r.stream().map(e -> global(e, target)).toList();
  }

  @Override
  public List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    int p = partitionOf(parentId);
    if (p < 0) {
      throw new JobNotFoundException(parentId);
    }
    List<EnqueueResult> r = parts[p].addChildren(local(parentId), fence, jobs, exits);
    wake(p);
    return r.stream().map(e -> global(e, p)).toList();
  }

  // ---------------------------------------------------------------- one job

  @Override
  public Optional<JobInfo> find(String jobId) {
    int p = partitionOf(jobId);
    return p < 0 ? Optional.empty() : parts[p].find(local(jobId)).map(j -> global(j, p));
  }

  @Override
  public CancelResult cancel(String jobId, Instant now) {
    int p = partitionOf(jobId);
    if (p < 0) {
      return CancelResult.NOT_FOUND;
    }
    CancelResult r = parts[p].cancel(local(jobId), now);
    wake(p);
    return r;
  }

  // ---------------------------------------------------------------- claims and completions

  @Override
  public ClaimResult claim(ClaimRequest request) {
    return claimAcross(request, new ArrayList<>(), -1, null);
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    Boolean[] applied = new Boolean[completions.size()];
    Map<Integer, List<Integer>> groups = byPartition(completions, applied);
    for (Map.Entry<Integer, List<Integer>> g : groups.entrySet()) {
      completeOn(g.getKey(), g.getValue(), completions, applied, now);
    }
    return List.of(applied);
  }

  private Map<Integer, List<Integer>> byPartition(List<Completion> completions, Boolean[] applied) {
    Map<Integer, List<Integer>> groups = new TreeMap<>();
    for (int i = 0; i < completions.size(); i++) {
      int p = partitionOf(completions.get(i).jobId());
      if (p < 0) {
        applied[i] = false;
      } else {
        groups.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
      }
    }
    return groups;
  }

  private void completeOn(int p, List<Integer> idx, List<Completion> completions, Boolean[] applied, Instant now) {
    List<Completion> local = new ArrayList<>(idx.size());
    for (int i : idx) {
      local.add(local(completions.get(i)));
    }
    try {
      if (down(p)) {
        keep(p, local);
      } else {
        flushPending(p, now);
        List<Boolean> r = parts[p].complete(local, now);
        for (int k = 0; k < idx.size(); k++) {
          applied[idx.get(k)] = r.get(k);
        }
        wake(p);
        return;
      }
    } catch (StoreException e) {
      if (!unavailable(e)) {
        throw e;
      }
      markDown(p);
      keep(p, local);
    }
    for (int i : idx) {
      applied[i] = true;
    }
  }

  private void keep(int p, List<Completion> local) {
    synchronized (pending.get(p)) {
      pending.get(p).addAll(local);
    }
  }

  /** Writes the completions kept while partition p was down; leaves them kept if it still is. */
  private void flushPending(int p, Instant now) {
    List<Completion> kept;
    synchronized (pending.get(p)) {
      if (pending.get(p).isEmpty()) {
        return;
      }
      kept = new ArrayList<>(pending.get(p));
      pending.get(p).clear();
    }
    try {
      parts[p].complete(kept, now);
    } catch (RuntimeException e) {
      synchronized (pending.get(p)) {
        pending.get(p).addAll(0, kept);
      }
      throw e;
    }
    downUntil.set(p, 0);
    wake(p);
  }

  /** How many completions this instance keeps for partitions that were down (for tests and status). */
  public int pendingCompletions() {
    int n = 0;
    for (List<Completion> l : pending) {
      synchronized (l) {
        n += l.size();
      }
    }
    return n;
  }

  @Override
  public Exchange completeAndClaim(List<Completion> completions, @Nullable ClaimRequest request, Instant now) {
    if (request == null) {
      return new Exchange(complete(completions, now), ClaimResult.empty());
    }
    Boolean[] applied = new Boolean[completions.size()];
    Map<Integer, List<Integer>> groups = byPartition(completions, applied);
    long t = turn.getAndIncrement();
    if (groups.size() == 1 && t % STICKY_EXCHANGES != 0) {
      Map.Entry<Integer, List<Integer>> only = groups.entrySet().iterator().next();
      int p = only.getKey();
      List<Integer> idx = only.getValue();
      boolean pendingHere;
      synchronized (pending.get(p)) {
        pendingHere = !pending.get(p).isEmpty();
      }
      if (!pendingHere && !down(p)) {
        List<Completion> local = new ArrayList<>(idx.size());
        for (int i : idx) {
          local.add(local(completions.get(i)));
        }
        long gen = generation.get(p);
        try {
          Exchange x = parts[p].completeAndClaim(local, request, now);
          for (int k = 0; k < idx.size(); k++) {
            applied[idx.get(k)] = x.applied().get(k);
          }
          List<JobInfo> got = new ArrayList<>(global(x.claim().jobs(), p));
          if (got.isEmpty()) {
            for (String q : request.queues()) {
              markEmpty(p, q, gen, request.now(), x.claim().nextRunAt());
            }
          }
          ClaimResult r = claimAcross(request, got, p, x.claim().nextRunAt());
          return new Exchange(List.of(applied), r);
        } catch (StoreException e) {
          if (!unavailable(e)) {
            throw e;
          }
          markDown(p);
          keep(p, local);
          for (int i : idx) {
            applied[i] = true;
          }
          return new Exchange(List.of(applied), claimAcross(request, new ArrayList<>(), -1, null));
        }
      }
    }
    List<Boolean> done = complete(completions, now);
    return new Exchange(done, claimAcross(request, new ArrayList<>(), -1, null));
  }

  private void markEmpty(int p, String queue, long gen, Instant now, @Nullable Instant nextRunAt) {
    Instant recheck = now.plus(EMPTY_RECHECK);
    if (nextRunAt != null && nextRunAt.isBefore(recheck)) {
      recheck = nextRunAt;
    }
    Mark m = new Mark(recheck, System.nanoTime() + EMPTY_RECHECK.toNanos(), nextRunAt);
    empty.get(p).put(queue, m);
    if (generation.get(p) != gen) {
      empty.get(p).remove(queue, m);
    }
  }

  private @Nullable Mark skip(int p, String queue, Instant now) {
    Mark m = empty.get(p).get(queue);
    if (m == null) {
      return null;
    }
    if (!now.isBefore(m.recheckAt()) || System.nanoTime() - m.realDeadline() >= 0) {
      empty.get(p).remove(queue, m);
      return null;
    }
    return m;
  }

  private ClaimResult claimAcross(ClaimRequest request, List<JobInfo> got, int done, @Nullable Instant next) {
    Instant nextRunAt = next;
    int n = parts.length;
    int start = (int) Math.floorMod(turn.getAndIncrement(), (long) n);
    StoreException failure = null;
    int tried = 0;
    for (String queue : request.queues()) {
      for (int k = 0; k < n && got.size() < request.max(); k++) {
        int p = (start + k) % n;
        if (p == done) {
          continue;
        }
        Mark m = skip(p, queue, request.now());
        if (m != null) {
          nextRunAt = earliest(nextRunAt, m.nextRunAt());
          continue;
        }
        if (down(p)) {
          continue;
        }
        tried++;
        long gen = generation.get(p);
        try {
          flushPending(p, request.now());
          ClaimResult r = parts[p].claim(new ClaimRequest(request.workerId(), List.of(queue),
              request.max() - got.size(), request.now()));
          got.addAll(global(r.jobs(), p));
          nextRunAt = earliest(nextRunAt, r.nextRunAt());
          if (r.jobs().isEmpty()) {
            markEmpty(p, queue, gen, request.now(), r.nextRunAt());
          }
        } catch (StoreException e) {
          if (!unavailable(e)) {
            throw e;
          }
          markDown(p);
          failure = e;
        }
      }
    }
    if (got.isEmpty() && failure != null && tried == countFailures()) {
      throw failure;
    }
    List<String> order = request.queues();
    got.sort(Comparator.<JobInfo>comparingInt(j -> order.indexOf(j.queue()))
        .thenComparing(Comparator.comparingInt(JobInfo::priority).reversed())
        .thenComparingLong(j -> Long.parseLong(j.id())));
    return new ClaimResult(got, got.isEmpty() ? nextRunAt : null);
  }

  private int countFailures() {
    int down = 0;
    for (int p = 0; p < parts.length; p++) {
      if (down(p)) {
        down++;
      }
    }
    return down;
  }

  private static @Nullable Instant earliest(@Nullable Instant a, @Nullable Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isBefore(b) ? a : b;
  }

  @Override
  public HeartbeatResult heartbeat(WorkerRecord worker) {
    Set<String> held = new HashSet<>();
    Set<String> cancel = new HashSet<>();
    Instant storeTime = null;
    StoreException failure = null;
    for (int p = 0; p < parts.length; p++) {
      if (down(p) && p != 0) {
        continue;
      }
      try {
        flushPending(p, worker.heartbeatAt());
        HeartbeatResult r = parts[p].heartbeat(worker);
        for (String id : r.held()) {
          held.add(global(id, p));
        }
        for (String id : r.cancelRequested()) {
          cancel.add(global(id, p));
        }
        if (storeTime == null) {
          storeTime = r.storeTime();
        }
      } catch (StoreException e) {
        if (!unavailable(e)) {
          throw e;
        }
        markDown(p);
        failure = e;
      }
    }
    if (storeTime == null) {
      throw Objects.requireNonNull(failure);
    }
    return new HeartbeatResult(held, cancel, storeTime);
  }

  @Override
  public void deregisterWorker(String workerId, Instant now) {
    for (int p = 0; p < parts.length; p++) {
      parts[p].deregisterWorker(workerId, now);
      wake(p);
    }
  }

  @Override
  public List<JobInfo> reclaimExpired(Instant now, int limit) {
    List<JobInfo> out = new ArrayList<>();
    for (int p = 0; p < parts.length && out.size() < limit; p++) {
      if (down(p)) {
        continue;
      }
      try {
        List<JobInfo> r = parts[p].reclaimExpired(now, limit - out.size());
        if (!r.isEmpty()) {
          wake(p);
        }
        out.addAll(global(r, p));
      } catch (StoreException e) {
        if (!unavailable(e)) {
          throw e;
        }
        markDown(p);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- the finished feed

  /**
   * Raises every partition's finish counter to the highest, so that every later finish sorts after
   * {@code (highest, p)} for every p; returns the highest.
   */
  private long align() {
    long top = 0;
    long[] seqs = new long[parts.length];
    for (int p = 0; p < parts.length; p++) {
      seqs[p] = parts[p].finishCursor();
      top = Math.max(top, seqs[p]);
    }
    for (int p = 0; p < parts.length; p++) {
      if (seqs[p] < top) {
        String key = parts[p].config().keyPrefix() + "fseq";
        String t = Long.toString(top);
        parts[p].link().<Long>call("raising the finish sequence", true,
            c -> c.eval(RAISE_SEQ, ScriptOutputType.INTEGER, new String[] {key}, t));
      }
    }
    return top;
  }

  @Override
  public FinishedBatch finishedAfter(long cursor, int limit) {
    if (limit < 1) {
      return new FinishedBatch(List.of(), cursor);
    }
    long top = align();
    long f = cursor / MAX_PARTITIONS;
    int cp = (int) (cursor % MAX_PARTITIONS);
    List<JobInfo> all = new ArrayList<>();
    for (int p = 0; p < parts.length; p++) {
      long from = p <= cp ? f : f - 1;
      for (JobInfo j : parts[p].finishedAfter(Math.max(0, from), limit).jobs()) {
        if (j.finishSeq() <= top) {
          all.add(global(j, p));
        }
      }
    }
    all.sort(Comparator.comparingLong(JobInfo::finishSeq));
    List<JobInfo> page = all.size() > limit ? all.subList(0, limit) : all;
    long last = page.isEmpty() ? cursor : page.get(page.size() - 1).finishSeq();
    return new FinishedBatch(List.copyOf(page), last);
  }

  @Override
  public long finishCursor() {
    long top = align();
    if (top == 0) {
      return 0;
    }
    int last = 0;
    for (int p = 0; p < parts.length; p++) {
      if (!parts[p].finishedAfter(top - 1, 1).jobs().isEmpty()) {
        last = p;
      }
    }
    return globalSeq(top, last);
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
    wake(0);
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
    return this;
  }

  @Override
  public QueueControl control() {
    return this;
  }

  @Override
  public AuditLog auditLog() {
    return parts[0].auditLog();
  }

  // ---------------------------------------------------------------- JobInspector

  private JobFilter localFilter(JobFilter f, int p) {
    if (f.beforeId() == null) {
      return f;
    }
    long before = Long.parseLong(f.beforeId());
    long localBefore = Math.floorDiv(before - p - 1, (long) MAX_PARTITIONS) + 1;
    return new JobFilter(f.states(), f.queue(), f.task(), f.finishedBefore(), Long.toString(Math.max(1, localBefore)),
        f.limit(), f.text(), f.createdAfter(), f.createdBefore(), f.finishedAfter());
  }

  @Override
  public List<JobInfo> listJobs(JobFilter filter) {
    List<JobInfo> all = new ArrayList<>();
    for (int p = 0; p < parts.length; p++) {
      JobFilter f = localFilter(filter, p);
      if (f.beforeId() != null && f.beforeId().equals("1") && filter.beforeId() != null) {
        continue;
      }
      all.addAll(global(parts[p].listJobs(f), p));
    }
    all.sort(Comparator.comparingLong((JobInfo j) -> Long.parseLong(j.id())).reversed());
    return List.copyOf(all.size() > filter.limit() ? all.subList(0, filter.limit()) : all);
  }

  @Override
  public List<QueueSummary> queueSummaries() {
    Map<String, Map<dev.spindle.queue.JobState, Long>> counts = new TreeMap<>();
    Map<String, Integer> limits = new HashMap<>();
    for (RedisJobStore p : parts) {
      for (QueueSummary s : p.queueSummaries()) {
        Map<dev.spindle.queue.JobState, Long> c =
            counts.computeIfAbsent(s.queue(), k -> new EnumMap<>(dev.spindle.queue.JobState.class));
        s.counts().forEach((state, n) -> c.merge(state, n, Long::sum));
        limits.merge(s.queue(), s.limit(), Math::max);
      }
    }
    List<QueueSummary> out = new ArrayList<>();
    counts.forEach((q, c) -> out.add(new QueueSummary(q, c, limits.getOrDefault(q, 0))));
    return out;
  }

  @Override
  public Map<String, Instant> oldestReady() {
    Map<String, Instant> out = new TreeMap<>();
    for (RedisJobStore p : parts) {
      p.oldestReady().forEach((q, t) -> out.merge(q, t, (a, b) -> a.isBefore(b) ? a : b));
    }
    return out;
  }

  @Override
  public List<WorkerRecord> workers() {
    Map<String, WorkerRecord> byId = new LinkedHashMap<>();
    for (RedisJobStore p : parts) {
      for (WorkerRecord w : p.workers()) {
        byId.merge(w.id(), w, (a, b) -> a.heartbeatAt().isBefore(b.heartbeatAt()) ? b : a);
      }
    }
    return List.copyOf(byId.values());
  }

  @Override
  public JobInfo requeue(String jobId, Instant now) {
    int p = partitionOf(jobId);
    if (p < 0) {
      throw new JobNotFoundException(jobId);
    }
    JobInfo j = global(parts[p].requeue(local(jobId), now), p);
    wake(p);
    return j;
  }

  @Override
  public List<DependencyEdge> dependencyEdges(String jobId) {
    int p = partitionOf(jobId);
    if (p < 0) {
      return List.of();
    }
    return parts[p].dependencyEdges(local(jobId)).stream()
        .map(e -> new DependencyEdge(global(e.parentId(), p), global(e.childId(), p), e.policy(), e.position()))
        .toList();
  }

  @Override
  public int purge(JobFilter filter) {
    int n = 0;
    for (int p = 0; p < parts.length; p++) {
      n += parts[p].purge(localFilter(filter, p));
    }
    return n;
  }

  /** Sets the limit on every partition: each enforces it, so the queue may run up to N times it. */
  @Override
  public void setQueueLimit(String queue, int maxRunning) {
    for (int p = 0; p < parts.length; p++) {
      parts[p].setQueueLimit(queue, maxRunning);
      wake(p);
    }
  }

  @Override
  public Map<String, Integer> queueLimits() {
    return parts[0].queueLimits();
  }

  // ---------------------------------------------------------------- QueueControl

  @Override
  public void pauseQueue(String queue) {
    for (RedisJobStore p : parts) {
      p.pauseQueue(queue);
    }
  }

  @Override
  public void resumeQueue(String queue) {
    for (int p = 0; p < parts.length; p++) {
      parts[p].resumeQueue(queue);
      wake(p);
    }
  }

  @Override
  public Set<String> pausedQueues() {
    return parts[0].pausedQueues();
  }

  @Override
  public int requeueMatching(JobFilter filter, Instant now) {
    int n = 0;
    for (int p = 0; p < parts.length; p++) {
      n += parts[p].requeueMatching(localFilter(filter, p), now);
      wake(p);
    }
    return n;
  }

  @Override
  public int cancelMatching(JobFilter filter, Instant now) {
    int n = 0;
    for (int p = 0; p < parts.length; p++) {
      n += parts[p].cancelMatching(localFilter(filter, p), now);
    }
    return n;
  }

  @Override
  public DeleteResult deleteJob(String jobId) {
    int p = partitionOf(jobId);
    return p < 0 ? DeleteResult.NOT_FOUND : parts[p].deleteJob(local(jobId));
  }

  @Override
  public boolean pauseSchedule(String name) {
    return parts[0].pauseSchedule(name);
  }

  @Override
  public boolean resumeSchedule(String name) {
    return parts[0].resumeSchedule(name);
  }

  @Override
  public Set<String> pausedSchedules() {
    return parts[0].pausedSchedules();
  }

  @Override
  public String toString() {
    return "PartitionedRedisJobStore[" + describe() + "]";
  }
}
