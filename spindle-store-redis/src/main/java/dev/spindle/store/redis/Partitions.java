package dev.spindle.store.redis;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JobFilter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * The partitions of a {@link PartitionedRedisJobStore} and what this instance knows of each: which
 * queues a claim found empty there (and until when that holds), whether its shard is down, and the
 * completions kept for it while it was; plus the mapping between a partition's own job ids and
 * finish sequences and the queue's global ones (the partition in the last three digits, see
 * {@link PartitionedRedisJobStore#MAX_PARTITIONS}). Thread-safe.
 */
final class Partitions {
  private static final int N = PartitionedRedisJobStore.MAX_PARTITIONS;

  private final RedisJobStore[] parts;
  /** Partitions new jobs go to (0..active-1); the rest are drained. */
  private final int active;
  /** Per partition: queue -> when to look again. */
  private final List<ConcurrentHashMap<String, Mark>> empty = new ArrayList<>();
  /** Per partition: bumped by every wake-up, so a claim that raced one does not mark it empty. */
  private final AtomicLongArray generation;
  /** Per partition: real time (nanoTime) until which it counts as down, 0 if up. */
  private final AtomicLongArray downUntil;
  /** Per partition: completions not yet written because the shard was down. */
  private final List<List<Completion>> pending = new ArrayList<>();

  /**
   * A queue found empty on a partition: skipped until {@code recheckAt} (store time) or
   * {@code realDeadline} (nanoTime), whichever comes first; {@code nextRunAt} is that claim's next
   * due job.
   */
  record Mark(Instant recheckAt, long realDeadline, @Nullable Instant nextRunAt) {}

  /** @param active how many partitions new jobs go to (the others are drained) */
  Partitions(RedisJobStore[] parts, int active) {
    this.parts = parts;
    this.active = active;
    this.generation = new AtomicLongArray(parts.length);
    this.downUntil = new AtomicLongArray(parts.length);
    for (int p = 0; p < parts.length; p++) {
      empty.add(new ConcurrentHashMap<>());
      pending.add(new ArrayList<>());
    }
  }

  /** Partition {@code p}'s own store. */
  RedisJobStore get(int p) {
    return parts[p];
  }

  /** All partitions, in order. */
  RedisJobStore[] all() {
    return parts;
  }

  /** How many partitions there are (including draining ones). */
  int count() {
    return parts.length;
  }

  /** How many partitions new jobs go to. */
  int active() {
    return active;
  }

  // ---------------------------------------------------------------- ids

  /** The partition of a job id, or -1 if the id names none. */
  int partitionOf(@Nullable String jobId) {
    long v = parse(jobId);
    if (v < N) {
      return -1;
    }
    int p = (int) (v % N);
    return p < parts.length ? p : -1;
  }

  /** The partition jobs with this ordering or unique key go to. */
  int partitionFor(String key) {
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

  /** A global job id's id on its partition. */
  static String local(String globalId) {
    return Long.toString(Long.parseLong(globalId) / N);
  }

  /** Partition {@code p}'s job id as a global one. */
  static String global(String localId, int p) {
    return Long.toString(Long.parseLong(localId) * N + p);
  }

  /** Partition {@code p}'s finish sequence number as a global one (0 stays 0: not finished). */
  static long globalSeq(long seq, int p) {
    return seq == 0 ? 0 : seq * N + p;
  }

  /** A job of partition {@code p} with its global id and finish sequence. */
  static JobInfo global(JobInfo j, int p) {
    return new JobInfo(global(j.id(), p), j.task(), j.queue(), j.state(), j.priority(), j.argsJson(), j.resultJson(),
        j.errorJson(), j.deadReason(), j.uniqueKey(), j.attempt(), j.failures(), j.workerLost(), j.fence(),
        j.workerId(), j.cancelRequested(), j.createdAt(), j.runAt(), j.startedAt(), j.finishedAt(), j.expiresAt(),
        globalSeq(j.finishSeq(), p), j.policy(), j.traceContext());
  }

  /** Jobs of partition {@code p} with their global ids. */
  static List<JobInfo> global(List<JobInfo> jobs, int p) {
    List<JobInfo> out = new ArrayList<>(jobs.size());
    for (JobInfo j : jobs) {
      out.add(global(j, p));
    }
    return out;
  }

  /** An enqueue result of partition {@code p} with its global id. */
  static EnqueueResult global(EnqueueResult r, int p) {
    return new EnqueueResult(global(r.jobId(), p), r.created(), r.state());
  }

  /** A completion of a global job id for its partition. */
  static Completion local(Completion c) {
    return new Completion(local(c.jobId()), c.fence(), c.workerId(), c.outcome(), c.resultJson(), c.errorJson(),
        c.deadReason(), c.retryAt());
  }

  /** A filter for partition {@code p}: a global {@code beforeId} becomes the partition's own bound. */
  static JobFilter localFilter(JobFilter f, int p) {
    if (f.beforeId() == null) {
      return f;
    }
    long before = Long.parseLong(f.beforeId());
    long localBefore = Math.floorDiv(before - p - 1, (long) N) + 1;
    return new JobFilter(f.states(), f.queue(), f.task(), f.finishedBefore(), Long.toString(Math.max(1, localBefore)),
        f.limit(), f.text(), f.createdAfter(), f.createdBefore(), f.finishedAfter());
  }

  // ---------------------------------------------------------------- what this instance knows

  /** Something may have changed on partition p: look at it again. */
  void wake(int p) {
    generation.incrementAndGet(p);
    empty.get(p).clear();
  }

  /** Partition p's wake-up count, read before a claim (see {@link #markEmpty}). */
  long generation(int p) {
    return generation.get(p);
  }

  /** True while partition p counts as down. */
  boolean down(int p) {
    long until = downUntil.get(p);
    return until != 0 && System.nanoTime() - until < 0;
  }

  /** Partition p's shard did not answer: skip it for {@link PartitionedRedisJobStore#DOWN_RECHECK}. */
  void markDown(int p) {
    downUntil.set(p, System.nanoTime() + PartitionedRedisJobStore.DOWN_RECHECK.toNanos());
  }

  /** Partition p answered again. */
  void markUp(int p) {
    downUntil.set(p, 0);
  }

  /** How many partitions count as down. */
  int downCount() {
    int down = 0;
    for (int p = 0; p < parts.length; p++) {
      if (down(p)) {
        down++;
      }
    }
    return down;
  }

  /** True if the call failed because the shard could not be reached. */
  static boolean unavailable(StoreException e) {
    return e.reason() == StoreException.Reason.UNAVAILABLE;
  }

  /**
   * A claim found {@code queue} empty on partition p: skip it there until a wake-up, its next due
   * job, or {@link PartitionedRedisJobStore#EMPTY_RECHECK}; not marked if a wake-up came since
   * {@code gen} was read.
   */
  void markEmpty(int p, String queue, long gen, Instant now, @Nullable Instant nextRunAt) {
    Instant recheck = now.plus(PartitionedRedisJobStore.EMPTY_RECHECK);
    if (nextRunAt != null && nextRunAt.isBefore(recheck)) {
      recheck = nextRunAt;
    }
    Mark m = new Mark(recheck, System.nanoTime() + PartitionedRedisJobStore.EMPTY_RECHECK.toNanos(), nextRunAt);
    empty.get(p).put(queue, m);
    if (generation.get(p) != gen) {
      empty.get(p).remove(queue, m);
    }
  }

  /** The mark that says to skip {@code queue} on partition p now, or null to claim there. */
  @Nullable Mark skip(int p, String queue, Instant now) {
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

  /** Keeps completions for partition p, written when it answers again. */
  void keep(int p, List<Completion> local) {
    synchronized (pending.get(p)) {
      pending.get(p).addAll(local);
    }
  }

  /** True if completions are kept for partition p. */
  boolean hasKept(int p) {
    synchronized (pending.get(p)) {
      return !pending.get(p).isEmpty();
    }
  }

  /** Takes the completions kept for partition p (empty if none); give them back if writing fails. */
  List<Completion> takeKept(int p) {
    synchronized (pending.get(p)) {
      List<Completion> kept = new ArrayList<>(pending.get(p));
      pending.get(p).clear();
      return kept;
    }
  }

  /** Gives back completions taken by {@link #takeKept}, before any kept since. */
  void giveBack(int p, List<Completion> kept) {
    synchronized (pending.get(p)) {
      pending.get(p).addAll(0, kept);
    }
  }

  /** How many completions are kept for partitions that were down. */
  int keptCount() {
    int n = 0;
    for (List<Completion> l : pending) {
      synchronized (l) {
        n += l.size();
      }
    }
    return n;
  }
}
