package dev.spindle.store.redis;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The workers' side of a {@link PartitionedRedisJobStore}: a heartbeat goes to every partition that
 * is up (partition 0 always: its answer carries the store time), after writing the completions
 * kept for it; deregistration goes to all; reclaims skip partitions that are down. Thread-safe.
 */
final class PartitionedWorkers {
  private final Partitions partitions;
  private final RedisJobStore[] parts;
  private final PartitionedClaims claims;

  /** @param claims writes the completions kept for a partition before its heartbeat */
  PartitionedWorkers(Partitions partitions, PartitionedClaims claims) {
    this.partitions = partitions;
    this.parts = partitions.all();
    this.claims = claims;
  }

  /** {@link JobStore#heartbeat}: the jobs held and asked to cancel on every partition that answered. */
  HeartbeatResult heartbeat(WorkerRecord worker) {
    Set<String> held = new HashSet<>();
    Set<String> cancel = new HashSet<>();
    Instant storeTime = null;
    StoreException failure = null;
    for (int p = 0; p < parts.length; p++) {
      if (partitions.down(p) && p != 0) {
        continue;
      }
      try {
        claims.flushPending(p, worker.heartbeatAt());
        HeartbeatResult r = parts[p].heartbeat(worker);
        for (String id : r.held()) {
          held.add(Partitions.global(id, p));
        }
        for (String id : r.cancelRequested()) {
          cancel.add(Partitions.global(id, p));
        }
        if (storeTime == null) {
          storeTime = r.storeTime();
        }
      } catch (StoreException e) {
        if (!Partitions.unavailable(e)) {
          throw e;
        }
        partitions.markDown(p);
        failure = e;
      }
    }
    if (storeTime == null) {
      throw Objects.requireNonNull(failure);
    }
    return new HeartbeatResult(held, cancel, storeTime);
  }

  /** {@link JobStore#deregisterWorker}, on every partition. */
  void deregisterWorker(String workerId, Instant now) {
    for (int p = 0; p < parts.length; p++) {
      parts[p].deregisterWorker(workerId, now);
      partitions.wake(p);
    }
  }

  /** {@link JobStore#reclaimExpired}, partition after partition up to {@code limit}. */
  List<JobInfo> reclaimExpired(Instant now, int limit) {
    List<JobInfo> out = new ArrayList<>();
    for (int p = 0; p < parts.length && out.size() < limit; p++) {
      if (partitions.down(p)) {
        continue;
      }
      try {
        List<JobInfo> r = parts[p].reclaimExpired(now, limit - out.size());
        if (!r.isEmpty()) {
          partitions.wake(p);
        }
        out.addAll(Partitions.global(r, p));
      } catch (StoreException e) {
        if (!Partitions.unavailable(e)) {
          throw e;
        }
        partitions.markDown(p);
      }
    }
    return out;
  }
}
