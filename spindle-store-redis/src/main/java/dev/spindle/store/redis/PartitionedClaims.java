package dev.spindle.store.redis;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.JobStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Claims and completions of a {@link PartitionedRedisJobStore}: a claim takes queue after queue
 * and, for each, the partitions in a rotating order, skipping those found empty or down
 * ({@link Partitions}); completions go to their jobs' partitions, and are kept while a partition
 * is down and written when it answers again; an exchange runs on its completions' partition in
 * one round trip, rotating away every {@link PartitionedRedisJobStore#STICKY_EXCHANGES}th call.
 * Thread-safe.
 */
final class PartitionedClaims {
  private final Partitions partitions;
  private final RedisJobStore[] parts;
  private final AtomicLong turn = new AtomicLong();

  PartitionedClaims(Partitions partitions) {
    this.partitions = partitions;
    this.parts = partitions.all();
  }

  /** {@link JobStore#claim}. */
  ClaimResult claim(ClaimRequest request) {
    return claimAcross(request, new ArrayList<>(), -1, null);
  }

  /** {@link JobStore#complete}: a completion for a partition that is down counts as applied. */
  List<Boolean> complete(List<Completion> completions, Instant now) {
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
      int p = partitions.partitionOf(completions.get(i).jobId());
      if (p < 0) {
        applied[i] = false;
      } else {
        groups.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
      }
    }
    return groups;
  }

  private void completeOn(int p, List<Integer> idx, List<Completion> completions, Boolean[] applied, Instant now) {
    List<Completion> local = localOf(idx, completions);
    if (partitions.down(p)) {
      keepFor(p, local, idx, applied);
      return;
    }
    try {
      flushPending(p, now);
      List<Boolean> r = parts[p].complete(local, now);
      for (int k = 0; k < idx.size(); k++) {
        applied[idx.get(k)] = r.get(k);
      }
      partitions.wake(p);
    } catch (StoreException e) {
      keepWhileDown(e, p, local, idx, applied);
    }
  }

  /** The completions at positions {@code idx}, with the partition-local job ids. */
  private static List<Completion> localOf(List<Integer> idx, List<Completion> completions) {
    List<Completion> local = new ArrayList<>(idx.size());
    for (int i : idx) {
      local.add(Partitions.local(completions.get(i)));
    }
    return local;
  }

  /** Keeps completions for partition p until it is back (see {@link #flushPending}), each counted as applied. */
  private void keepFor(int p, List<Completion> local, List<Integer> idx, Boolean[] applied) {
    partitions.keep(p, local);
    for (int i : idx) {
      applied[i] = true;
    }
  }

  /**
   * Writing to partition p failed with {@code e}: rethrows it unless the shard is unavailable, else
   * marks the partition down and keeps the completions.
   */
  private void keepWhileDown(StoreException e, int p, List<Completion> local, List<Integer> idx, Boolean[] applied) {
    if (!Partitions.unavailable(e)) {
      throw e;
    }
    partitions.markDown(p);
    keepFor(p, local, idx, applied);
  }

  /** Writes the completions kept while partition p was down; leaves them kept if it still is. */
  void flushPending(int p, Instant now) {
    List<Completion> kept = partitions.takeKept(p);
    if (kept.isEmpty()) {
      return;
    }
    try {
      parts[p].complete(kept, now);
    } catch (RuntimeException e) {
      partitions.giveBack(p, kept);
      throw e;
    }
    partitions.markUp(p);
    partitions.wake(p);
  }

  /** {@link JobStore#completeAndClaim}. */
  Exchange completeAndClaim(List<Completion> completions, @Nullable ClaimRequest request, Instant now) {
    if (request == null) {
      return new Exchange(complete(completions, now), ClaimResult.empty());
    }
    Boolean[] applied = new Boolean[completions.size()];
    Map<Integer, List<Integer>> groups = byPartition(completions, applied);
    long t = turn.getAndIncrement();
    if (groups.size() == 1 && t % PartitionedRedisJobStore.STICKY_EXCHANGES != 0) {
      Map.Entry<Integer, List<Integer>> only = groups.entrySet().iterator().next();
      int p = only.getKey();
      List<Integer> idx = only.getValue();
      boolean pendingHere = partitions.hasKept(p);
      if (!pendingHere && !partitions.down(p)) {
        List<Completion> local = localOf(idx, completions);
        long gen = partitions.generation(p);
        try {
          Exchange x = parts[p].completeAndClaim(local, request, now);
          for (int k = 0; k < idx.size(); k++) {
            applied[idx.get(k)] = x.applied().get(k);
          }
          List<JobInfo> got = new ArrayList<>(Partitions.global(x.claim().jobs(), p));
          if (got.isEmpty() && request.tasks() == null) { // a filtered claim may pass jobs by: not empty
            for (String q : request.queues()) {
              partitions.markEmpty(p, q, gen, request.now(), x.claim().nextRunAt());
            }
          }
          ClaimResult r = claimAfter(completions, request, got, p, x.claim().nextRunAt());
          return new Exchange(List.of(applied), r);
        } catch (StoreException e) {
          keepWhileDown(e, p, local, idx, applied);
          return new Exchange(List.of(applied), claimAfter(completions, request, new ArrayList<>(), -1, null));
        }
      }
    }
    List<Boolean> done = complete(completions, now);
    return new Exchange(done, claimAfter(completions, request, new ArrayList<>(), -1, null));
  }

  /**
   * The claim of an exchange whose completions were handled (written or kept): when every partition
   * tried is down it answers no jobs instead of failing, since a failed call tells the caller that
   * its completions were not taken, and it would send them again (counted twice, or refused as a
   * lost lease).
   */
  private ClaimResult claimAfter(List<Completion> completions, ClaimRequest request, List<JobInfo> got, int done,
      @Nullable Instant next) {
    try {
      return claimAcross(request, got, done, next);
    } catch (StoreException e) {
      if (completions.isEmpty() || !Partitions.unavailable(e)) {
        throw e;
      }
      return ClaimResult.empty();
    }
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
        Partitions.Mark m = partitions.skip(p, queue, request.now());
        if (m != null) {
          nextRunAt = earliest(nextRunAt, m.nextRunAt());
          continue;
        }
        if (partitions.down(p)) {
          continue;
        }
        tried++;
        long gen = partitions.generation(p);
        try {
          flushPending(p, request.now());
          ClaimResult r = parts[p].claim(new ClaimRequest(request.workerId(), List.of(queue),
              request.max() - got.size(), request.now(), request.tasks()));
          got.addAll(Partitions.global(r.jobs(), p));
          nextRunAt = earliest(nextRunAt, r.nextRunAt());
          if (r.jobs().isEmpty() && request.tasks() == null) {
            partitions.markEmpty(p, queue, gen, request.now(), r.nextRunAt());
          }
        } catch (StoreException e) {
          if (!Partitions.unavailable(e)) {
            throw e;
          }
          partitions.markDown(p);
          failure = e;
        }
      }
    }
    if (got.isEmpty() && failure != null && tried == partitions.downCount()) {
      throw failure;
    }
    List<String> order = request.queues();
    got.sort(Comparator.<JobInfo>comparingInt(j -> order.indexOf(j.queue()))
        .thenComparing(Comparator.comparingInt(JobInfo::priority).reversed())
        .thenComparingLong(j -> Long.parseLong(j.id())));
    return new ClaimResult(got, got.isEmpty() ? nextRunAt : null);
  }

  private static @Nullable Instant earliest(@Nullable Instant a, @Nullable Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isBefore(b) ? a : b;
  }

}
