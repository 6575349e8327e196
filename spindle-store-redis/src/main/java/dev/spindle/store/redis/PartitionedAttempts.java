package dev.spindle.store.redis;

import dev.spindle.queue.spi.AttemptLedger;
import dev.spindle.queue.spi.JobAttempts;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@link AttemptLedger} of a {@link PartitionedRedisJobStore}: a job's ledger is read on the
 * partition that holds the job (its id names it), where that partition's scripts wrote it; the
 * duplicates per task are the sum over the partitions that are up (one that is down is left out
 * until it is back). Thread-safe.
 */
final class PartitionedAttempts implements AttemptLedger {
  private final Partitions partitions;

  PartitionedAttempts(Partitions partitions) {
    this.partitions = partitions;
  }

  @Override
  public Optional<JobAttempts> attempts(String jobId) {
    int p = partitions.partitionOf(jobId);
    return p < 0 ? Optional.empty() : partitions.get(p).attemptsLedger().attempts(Partitions.local(jobId));
  }

  @Override
  public Map<String, Long> duplicatesByTask() {
    Map<String, Long> out = new TreeMap<>();
    for (int p = 0; p < partitions.count(); p++) {
      if (!partitions.down(p)) {
        partitions.get(p).attemptsLedger().duplicatesByTask().forEach((t, n) -> out.merge(t, n, Long::sum));
      }
    }
    return out;
  }
}
