package dev.spindle.store.redis;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.ResumeMove;
import dev.spindle.queue.spi.UnroutableTask;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.queue.spi.WorkflowControl;
import dev.spindle.queue.store.UnroutableTasks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@link JobInspector} and {@link QueueControl} halves of a {@link PartitionedRedisJobStore}:
 * calls on one job go to its partition; lists, counts and bulk changes go to every partition and
 * their answers are merged (job lists newest first by global id, counts summed, workers by their
 * latest heartbeat); queue pausing and limits are set on every partition (not atomically), schedule
 * pausing on partition 0. The store's methods delegate here. Thread-safe.
 */
final class PartitionedInspector implements JobInspector, QueueControl {
  private final Partitions partitions;
  private final RedisJobStore[] parts;
  private final java.util.Optional<WorkflowControl> workflows;

  PartitionedInspector(Partitions partitions) {
    this.partitions = partitions;
    this.parts = partitions.all();
    this.workflows = java.util.Optional.of(this::resume);
  }

  @Override
  public List<JobInfo> listJobs(JobFilter filter) {
    List<JobInfo> all = new ArrayList<>();
    for (int p = 0; p < parts.length; p++) {
      JobFilter f = Partitions.localFilter(filter, p);
      if (f.beforeId() != null && f.beforeId().equals("1") && filter.beforeId() != null) {
        continue;
      }
      all.addAll(Partitions.global(parts[p].inspector().listJobs(f), p));
    }
    all.sort(Comparator.comparingLong((JobInfo j) -> Long.parseLong(j.id())).reversed());
    return List.copyOf(all.size() > filter.limit() ? all.subList(0, filter.limit()) : all);
  }

  @Override
  public List<QueueSummary> queueSummaries() {
    Map<String, Map<JobState, Long>> counts = new TreeMap<>();
    Map<String, Integer> limits = new HashMap<>();
    for (RedisJobStore p : parts) {
      for (QueueSummary s : p.inspector().queueSummaries()) {
        Map<JobState, Long> c =
            counts.computeIfAbsent(s.queue(), k -> new EnumMap<>(JobState.class));
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
      p.inspector().oldestReady().forEach((q, t) -> out.merge(q, t, (a, b) -> a.isBefore(b) ? a : b));
    }
    return out;
  }

  /** Counts by walking the QUEUED jobs of each queue (at most {@link UnroutableTask#SCAN_LIMIT}). */
  @Override
  public List<UnroutableTask> unroutable(Instant now) {
    return UnroutableTasks.byListing(this, now);
  }

  @Override
  public List<WorkerRecord> workers() {
    Map<String, WorkerRecord> byId = new LinkedHashMap<>();
    for (RedisJobStore p : parts) {
      for (WorkerRecord w : p.inspector().workers()) {
        byId.merge(w.id(), w, (a, b) -> a.heartbeatAt().isBefore(b.heartbeatAt()) ? b : a);
      }
    }
    return List.copyOf(byId.values());
  }

  @Override
  public JobInfo requeue(String jobId, Instant now) {
    int p = partitions.partitionOf(jobId);
    if (p < 0) {
      throw new JobNotFoundException(jobId);
    }
    JobInfo j = Partitions.global(parts[p].inspector().requeue(Partitions.local(jobId), now), p);
    partitions.wake(p);
    return j;
  }

  /**
   * Resumes on the node's partition, in one script there: a workflow lives whole on one partition
   * (its enqueue refuses dependencies on several), so nothing it re-arms is elsewhere.
   */
  @Override
  public java.util.Optional<WorkflowControl> workflows() {
    return workflows;
  }

  private List<ResumeMove> resume(String jobId, @org.jspecify.annotations.Nullable String argsJson, Instant now) {
    int p = partitions.partitionOf(jobId);
    if (p < 0) {
      throw new JobNotFoundException(jobId);
    }
    List<ResumeMove> moves = parts[p].control().workflows().orElseThrow().resume(Partitions.local(jobId), argsJson,
        now).stream().map(m -> new ResumeMove(Partitions.global(m.jobId(), p), m.from(), m.to())).toList();
    partitions.wake(p);
    return moves;
  }

  @Override
  public List<DependencyEdge> dependencyEdges(String jobId) {
    int p = partitions.partitionOf(jobId);
    if (p < 0) {
      return List.of();
    }
    return parts[p].inspector().dependencyEdges(Partitions.local(jobId)).stream()
        .map(e -> new DependencyEdge(Partitions.global(e.parentId(), p), Partitions.global(e.childId(), p), e.policy(), e.position()))
        .toList();
  }

  @Override
  public int purge(JobFilter filter) {
    int n = 0;
    for (int p = 0; p < parts.length; p++) {
      n += parts[p].inspector().purge(Partitions.localFilter(filter, p));
    }
    return n;
  }

  /** Sets the limit on every partition: each enforces it, so the queue may run up to N times it. */
  void setQueueLimit(String queue, int maxRunning) {
    for (int p = 0; p < parts.length; p++) {
      parts[p].setQueueLimit(queue, maxRunning);
      partitions.wake(p);
    }
  }

  @Override
  public Map<String, Integer> queueLimits() {
    return parts[0].inspector().queueLimits();
  }

  // ---------------------------------------------------------------- QueueControl

  @Override
  public void pauseQueue(String queue) {
    for (RedisJobStore p : parts) {
      p.control().pauseQueue(queue);
    }
  }

  @Override
  public void resumeQueue(String queue) {
    for (int p = 0; p < parts.length; p++) {
      parts[p].control().resumeQueue(queue);
      partitions.wake(p);
    }
  }

  @Override
  public Set<String> pausedQueues() {
    return parts[0].control().pausedQueues();
  }

  @Override
  public int requeueMatching(JobFilter filter, Instant now) {
    int[] take = newestPerPartition(filter, QueueControl.statesWithin(filter, QueueControl.requeueStates(), "requeued"));
    int n = 0;
    for (int p = 0; p < parts.length; p++) {
      if (take[p] > 0) {
        n += parts[p].control().requeueMatching(Partitions.localFilter(filter, p).withLimit(take[p]), now);
        partitions.wake(p);
      }
    }
    return n;
  }

  @Override
  public int cancelMatching(JobFilter filter, Instant now) {
    int[] take = newestPerPartition(filter, QueueControl.statesWithin(filter, QueueControl.cancelStates(), "cancelled"));
    int n = 0;
    for (int p = 0; p < parts.length; p++) {
      if (take[p] > 0) {
        n += parts[p].control().cancelMatching(Partitions.localFilter(filter, p).withLimit(take[p]), now);
      }
    }
    return n;
  }

  /**
   * How many of the newest {@code filter.limit()} jobs in {@code states} matching the filter each
   * partition holds. Ids order jobs within a partition as across them, so each partition's share is
   * its own newest matching jobs: a bulk change per partition with that limit changes exactly the
   * store-wide newest ones.
   */
  private int[] newestPerPartition(JobFilter filter, Set<JobState> states) {
    int[] take = new int[parts.length];
    for (JobInfo j : listJobs(filter.withStates(states))) {
      take[partitions.partitionOf(j.id())]++;
    }
    return take;
  }

  @Override
  public DeleteResult deleteJob(String jobId) {
    int p = partitions.partitionOf(jobId);
    return p < 0 ? DeleteResult.NOT_FOUND : parts[p].control().deleteJob(Partitions.local(jobId));
  }

  @Override
  public boolean pauseSchedule(String name) {
    return parts[0].control().pauseSchedule(name);
  }

  @Override
  public boolean resumeSchedule(String name) {
    return parts[0].control().resumeSchedule(name);
  }

  @Override
  public Set<String> pausedSchedules() {
    return parts[0].control().pausedSchedules();
  }

}
