package dev.spindle.queue.memory;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.store.Workflows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Adds jobs to an {@link InMemoryJobStore}: plain batches, children of a running job and the jobs a
 * schedule fires, with unique keys, dependencies (a job starts WAITING, or CANCELLED if one already
 * ended in a way that cancels it) and bad flow keys (dead at once). Thread-safe through the store's
 * lock.
 */
final class MemoryEnqueue {
  private final MemoryData data;

  MemoryEnqueue(MemoryData data) {
    this.data = data;
  }

  List<EnqueueResult> enqueue(List<NewJob> newJobs) {
    List<EnqueueResult> out = new ArrayList<>(newJobs.size());
    synchronized (data.lock) {
      data.checkOpen();
      Workflows.checkBatch(newJobs);
      checkDependenciesExist(newJobs);
      for (NewJob n : newJobs) {
        out.add(insert(n, out));
      }
    }
    if (!newJobs.isEmpty()) {
      data.listeners.fire();
    }
    return out;
  }

  List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> newJobs, List<Integer> exits) {
    List<EnqueueResult> out = new ArrayList<>(newJobs.size());
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob parent = data.lookup(parentId);
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
      data.deps.adopt(parent.id, exitIds, data.clock.instant());
    }
    data.listeners.fire();
    return out;
  }

  void checkDependenciesExist(List<NewJob> newJobs) {
    for (NewJob n : newJobs) {
      for (Dependency d : Objects.requireNonNull(n, "job").dependsOn()) {
        if (!d.inBatch() && data.lookup(d.on()) == null) {
          throw new IllegalArgumentException("a job depends on job " + d.on() + ", which does not exist;"
              + " nothing was added");
        }
      }
    }
  }

  EnqueueResult insert(NewJob n, List<EnqueueResult> batch) {
    if (n.uniqueKey() != null) {
      Long existing = data.uniqueKeys.get(n.uniqueKey());
      if (existing != null) {
        return new EnqueueResult(Long.toString(existing), false, data.job(existing).state);
      }
    }
    StoreClock sc = StoreClock.read(data.clock, n.createdAt());
    MemoryJob j = new MemoryJob(++data.lastId, n, sc);
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
      JobState wait = data.deps.add(j.id, parents, policies, n.input());
      if (wait == null) {
        j.args = data.deps.inputOf(j.id, j.args);
      } else {
        start = JobState.WAITING;
      }
      if (wait == JobState.CANCELLED) {
        j.state = JobState.WAITING;
        data.jobs.put(j.id, j);
        data.index(j);
        j.error = data.deps.cancellation(j.id);
        data.move(j, JobState.CANCELLED, sc.now());
        return registered(j);
      }
    }
    j.state = start;
    data.jobs.put(j.id, j);
    data.index(j);
    return registered(j);
  }

  /** Adds a job that is dead from the start (its flow key could not be computed). */
  EnqueueResult insertDead(MemoryJob j, String reason, String errorJson, Instant now) {
    j.state = JobState.DEAD;
    j.deadReason = reason;
    j.error = errorJson;
    j.finishedAt = now;
    j.expiresAt = now.plus(j.policy.ttlFor(JobState.DEAD));
    j.finishSeq = ++data.lastFinishSeq;
    data.countMove(j, JobState.DEAD, now);
    data.jobs.put(j.id, j);
    data.index(j);
    return registered(j);
  }

  EnqueueResult registered(MemoryJob j) {
    if (j.uniqueKey != null) {
      data.uniqueKeys.put(j.uniqueKey, j.id);
    }
    return new EnqueueResult(Long.toString(j.id), true, j.state);
  }
}
