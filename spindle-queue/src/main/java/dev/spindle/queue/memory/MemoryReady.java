package dev.spindle.queue.memory;

import dev.spindle.queue.spi.ClaimRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The ready (QUEUED) jobs of one queue of {@link InMemoryJobStore}, grouped for fair claims: jobs
 * without a flow key form one group, each flow key another; groups are served round-robin (a key
 * moves to the end of the round once it has taken its weight's claims in its turn, 1 by default),
 * highest priority then oldest first inside a group.
 * Guarded by the store's lock; not thread-safe.
 */
final class MemoryReady {
  static final Comparator<MemoryJob> ORDER =
      Comparator.<MemoryJob>comparingInt(j -> -j.priority).thenComparingLong(j -> j.id);

  private final TreeSet<MemoryJob> all = new TreeSet<>(ORDER);
  private final TreeSet<MemoryJob> unkeyed = new TreeSet<>(ORDER);
  /** Keys with ready jobs, in round-robin order. */
  private final LinkedHashMap<String, TreeSet<MemoryJob>> byKey = new LinkedHashMap<>();
  /** Claims taken in the current turn, for keys in the middle of one. */
  private final Map<String, Integer> used = new HashMap<>();

  void add(MemoryJob j) {
    all.add(j);
    if (j.flowKey == null) {
      unkeyed.add(j);
    } else {
      byKey.computeIfAbsent(j.flowKey, k -> new TreeSet<>(ORDER)).add(j);
    }
  }

  void remove(MemoryJob j) {
    all.remove(j);
    if (j.flowKey == null) {
      unkeyed.remove(j);
    } else {
      TreeSet<MemoryJob> set = byKey.get(j.flowKey);
      if (set != null) {
        set.remove(j);
        if (set.isEmpty()) {
          byKey.remove(j.flowKey);
          used.remove(j.flowKey);
        }
      }
    }
  }

  boolean isEmpty() {
    return all.isEmpty();
  }

  /** Every ready job, in claim order regardless of keys. */
  Iterable<MemoryJob> all() {
    return all;
  }

  /** True if some ready job has a flow key (the claim then goes round-robin). */
  boolean keyed() {
    return !byKey.isEmpty();
  }

  /** The best job without a key, or null. */
  @Nullable MemoryJob firstUnkeyed() {
    return unkeyed.isEmpty() ? null : unkeyed.first();
  }

  /** The best job without a key that {@code claim} admits ({@link ClaimRequest#admits}), or null. */
  @Nullable MemoryJob firstUnkeyed(ClaimRequest claim) {
    return claim.tasks() == null ? firstUnkeyed() : firstAdmitted(unkeyed, claim);
  }

  /** The best job of {@code key} that {@code claim} admits, or null. */
  @Nullable MemoryJob first(String key, ClaimRequest claim) {
    TreeSet<MemoryJob> set = byKey.get(key);
    return set == null ? null : claim.tasks() == null ? set.first() : firstAdmitted(set, claim);
  }

  /** The first job of {@code jobs} (in claim order) whose task {@code claim} admits, or null. */
  private static @Nullable MemoryJob firstAdmitted(TreeSet<MemoryJob> jobs, ClaimRequest claim) {
    for (MemoryJob j : jobs) {
      if (claim.admits(j.task)) {
        return j;
      }
    }
    return null;
  }

  /** The keys with ready jobs, in the order this round serves them. */
  List<String> round() {
    return new ArrayList<>(byKey.keySet());
  }

  /** The best job of {@code key}, or null if it has none. */
  @Nullable MemoryJob first(String key) {
    TreeSet<MemoryJob> set = byKey.get(key);
    return set == null ? null : set.first();
  }

  /**
   * Counts a claim of {@code key} in its turn: once it has taken {@code weight} claims the key
   * moves to the end of the round and true is returned (its turn ended).
   */
  boolean served(String key, int weight) {
    int n = used.getOrDefault(key, 0) + 1;
    if (n < weight) {
      used.put(key, n);
      return false;
    }
    used.remove(key);
    TreeSet<MemoryJob> set = byKey.remove(key);
    if (set != null) {
      byKey.put(key, set);
    }
    return true;
  }
}
