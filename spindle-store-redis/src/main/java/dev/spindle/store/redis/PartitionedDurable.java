package dev.spindle.store.redis;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.spi.CachedResult;
import dev.spindle.queue.spi.DependencyEnd;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.JobRef;
import dev.spindle.queue.spi.SignalRecord;
import dev.spindle.queue.spi.SignalResult;
import dev.spindle.queue.spi.StepLog;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.queue.spi.WaitFor;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link DurableStore} of a {@link PartitionedRedisJobStore}: each call goes to the partition
 * that holds the job (its id names it; a unique key and a memoized result's key hash to one, as
 * enqueue places them), with the job's local id, so every call stays one script on one partition.
 * A suspension or a wake-up marks its partition worth claiming from again. Thread-safe.
 */
final class PartitionedDurable implements DurableStore {
  private final Partitions partitions;

  PartitionedDurable(Partitions partitions) {
    this.partitions = partitions;
  }

  private RedisDurable on(int p) {
    return partitions.get(p).durableStore();
  }

  @Override
  public Optional<StepLog> load(String jobId, long fence, String workerId) {
    int p = partitions.partitionOf(jobId);
    return p < 0 ? Optional.empty() : on(p).load(Partitions.local(jobId), fence, workerId);
  }

  @Override
  public StepWrite record(String jobId, long fence, String workerId, StepRecord step, DurableRules rules) {
    Objects.requireNonNull(rules, "rules");
    int p = partitions.partitionOf(jobId);
    return p < 0 ? StepWrite.fenced() : on(p).record(Partitions.local(jobId), fence, workerId, step, rules);
  }

  @Override
  public boolean suspend(String jobId, long fence, String workerId, WaitFor wait, Instant now) {
    int p = partitions.partitionOf(jobId);
    if (p < 0) {
      return false;
    }
    boolean done = on(p).suspend(Partitions.local(jobId), fence, workerId, local(jobId, p, wait), now);
    if (done) {
      partitions.wake(p);
    }
    return done;
  }

  @Override
  public SignalResult signal(JobRef job, String name, String payloadJson, DurableRules rules, Instant now) {
    Objects.requireNonNull(job, "job");
    rules.checkSignal(name, payloadJson);
    int p = job.byUniqueKey() ? partitions.partitionFor(job.value()) : partitions.partitionOf(job.value());
    if (p < 0) {
      return rules.onSignal(null, 0, false);
    }
    JobRef local = job.byUniqueKey() ? job : JobRef.id(Partitions.local(job.value()));
    SignalResult r = on(p).signal(local, name, payloadJson, rules, now);
    if (r == SignalResult.WOKE) {
      partitions.wake(p);
    }
    return r;
  }

  /**
   * A job wait with the awaited job's local id: both jobs must be in one partition (one script sees
   * both); other waits as they are.
   *
   * @throws UnsupportedOperationException if the awaited job is in another partition
   */
  private WaitFor local(String jobId, int p, WaitFor wait) {
    String target = wait.job();
    if (target == null) {
      return wait;
    }
    int q = partitions.partitionOf(target);
    if (q >= 0 && q != p) {
      throw new UnsupportedOperationException("job " + jobId + " cannot await job " + target + " of another partition"
          + " of this partitioned Redis queue (partitions " + p + " and " + q + "): await jobs of one partition, or use"
          + " a store that is not partitioned");
    }
    return WaitFor.job(q < 0 ? "0" : Partitions.local(target), wait.sequence(), wait.until());
  }

  @Override
  public Optional<DependencyEnd> awaited(String jobId) {
    int p = partitions.partitionOf(jobId);
    return p < 0 ? Optional.empty() : on(p).awaited(Partitions.local(jobId))
        .map(e -> new DependencyEnd(jobId, e.state(), e.resultJson(), e.errorJson()));
  }

  @Override
  public Optional<SignalRecord> signalAt(String jobId, String name, int number) {
    int p = partitions.partitionOf(jobId);
    return p < 0 ? Optional.empty() : on(p).signalAt(Partitions.local(jobId), name, number);
  }

  @Override
  public Optional<StepLog> view(String jobId) {
    int p = partitions.partitionOf(jobId);
    return p < 0 ? Optional.empty() : on(p).view(Partitions.local(jobId));
  }

  @Override
  public Optional<CachedResult> cached(String key, Instant now) {
    return on(partitions.partitionFor(key)).cached(key, now);
  }

  @Override
  public void cache(CachedResult result, Instant now) {
    on(partitions.partitionFor(result.key())).cache(result, now);
  }
}
