package dev.spindle.store.redis;

import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a {@link PartitionedRedisJobStore}'s new jobs go: a batch whole to one partition taken
 * round-robin (so it stays all or none), a job with a unique key to its key's partition, a batch
 * with an ordering key to that key's partition, a workflow to its dependencies' partition, children
 * to their parent's. Every partition written to is woken ({@link Partitions#wake}). Thread-safe.
 */
final class PartitionedEnqueue {
  private final Partitions partitions;
  private final RedisJobStore[] parts;
  private final String description;
  private final AtomicLong roundRobin = new AtomicLong();

  /** @param description the store's description, for messages */
  PartitionedEnqueue(Partitions partitions, String description) {
    this.partitions = partitions;
    this.parts = partitions.all();
    this.description = description;
  }

  /** {@link JobStore#enqueue}. */
  List<EnqueueResult> enqueue(List<NewJob> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    int batchPartition = (int) Math.floorMod(roundRobin.getAndIncrement(), (long) partitions.active());
    for (NewJob j : jobs) {
      if (!j.dependsOn().isEmpty()) {
        return enqueueWorkflow(jobs, batchPartition);
      }
    }
    Map<Integer, List<Integer>> groups = new TreeMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      String u = jobs.get(i).uniqueKey();
      int p = u == null ? batchPartition : partitions.partitionFor(u);
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
      partitions.wake(p);
      for (int k = 0; k < r.size(); k++) {
        out[g.getValue().get(k)] = Partitions.global(r.get(k), p);
      }
    }
    return List.of(out);
  }

  /** {@link PartitionedRedisJobStore#enqueueByKey}. */
  List<EnqueueResult> enqueueByKey(String orderingKey, List<NewJob> jobs) {
    int p = partitions.partitionFor(orderingKey);
    List<EnqueueResult> r = parts[p].enqueue(jobs);
    partitions.wake(p);
    return r.stream().map(e -> Partitions.global(e, p)).toList();
  }

  /** A workflow goes whole to the partition of the jobs it depends on (it fails if they are on several). */
  private List<EnqueueResult> enqueueWorkflow(List<NewJob> jobs, int fallback) {
    int p = -1;
    for (NewJob j : jobs) {
      for (Dependency d : j.dependsOn()) {
        if (!d.on().startsWith("#")) {
          int q = partitions.partitionOf(d.on());
          if (q < 0) {
            throw new IllegalArgumentException("dependency on unknown job " + d.on());
          }
          if (p >= 0 && q != p) {
            throw new IllegalArgumentException("a workflow's dependencies must be on one partition of "
                + description + ": jobs " + d.on() + " and others are on partitions " + p + " and " + q);
          }
          p = q;
        }
      }
    }
    int target = p < 0 ? fallback : p;
    List<NewJob> mapped = new ArrayList<>(jobs.size());
    for (NewJob j : jobs) {
      List<Dependency> deps = j.dependsOn().stream()
          .map(d -> d.on().startsWith("#") ? d : new Dependency(Partitions.local(d.on()), d.policy())).toList();
      mapped.add(new NewJob(j.task(), j.argsJson(), j.queue(), j.priority(), j.runAt(), j.uniqueKey(), j.policy(),
          j.createdAt(), deps, j.input(), j.traceContext(), j.flowKey()));
    }
    List<EnqueueResult> r = parts[target].enqueue(mapped);
    partitions.wake(target);
    return r.stream().map(e -> Partitions.global(e, target)).toList();
  }

  /** {@link JobStore#addChildren}, on the parent's partition. */
  List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    int p = partitions.partitionOf(parentId);
    if (p < 0) {
      throw new JobNotFoundException(parentId);
    }
    List<EnqueueResult> r = parts[p].addChildren(Partitions.local(parentId), fence, jobs, exits);
    partitions.wake(p);
    return r.stream().map(e -> Partitions.global(e, p)).toList();
  }
}
