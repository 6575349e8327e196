package dev.spindle.store.redis;

import dev.spindle.queue.JobProgress;
import dev.spindle.queue.spi.ProgressStore;
import dev.spindle.queue.spi.ProgressUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link ProgressStore} of a {@link PartitionedRedisJobStore}: a batch is split by the partition
 * that holds each job, one script per partition, with the jobs' local ids; each partition's part is
 * atomic on its own (a worker's jobs may sit on several partitions). Thread-safe.
 */
final class PartitionedProgress implements ProgressStore {
  private final Partitions partitions;

  PartitionedProgress(Partitions partitions) {
    this.partitions = partitions;
  }

  @Override
  public List<Boolean> write(List<ProgressUpdate> updates, int maxLines) {
    if (maxLines < 1) {
      throw new IllegalArgumentException("maxLines must be at least 1, got " + maxLines);
    }
    List<Boolean> out = new ArrayList<>(updates.size());
    Map<Integer, List<Integer>> byPartition = new LinkedHashMap<>();
    for (int i = 0; i < updates.size(); i++) {
      out.add(false);
      int p = partitions.partitionOf(updates.get(i).jobId());
      if (p >= 0) {
        byPartition.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
      }
    }
    for (Map.Entry<Integer, List<Integer>> e : byPartition.entrySet()) {
      List<ProgressUpdate> local = new ArrayList<>();
      for (int i : e.getValue()) {
        ProgressUpdate u = updates.get(i);
        local.add(new ProgressUpdate(Partitions.local(u.jobId()), u.fence(), u.workerId(), u.fraction(), u.message(),
            u.updatedAt(), u.lines()));
      }
      List<Boolean> applied = partitions.get(e.getKey()).progressStore().write(local, maxLines);
      for (int k = 0; k < applied.size(); k++) {
        out.set(e.getValue().get(k), applied.get(k));
      }
    }
    return out;
  }

  @Override
  public Optional<JobProgress> view(String jobId) {
    int p = partitions.partitionOf(jobId);
    return p < 0 ? Optional.empty() : partitions.get(p).progressStore().view(Partitions.local(jobId));
  }
}
