package dev.spindle.coordination;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A consistent hash ring: each member is placed on a 64-bit ring at {@code virtualNodes × weight}
 * points, and a key belongs to the member at the first point clockwise from the key's hash. Adding
 * or removing one member moves only the keys of the arcs it gains or loses (about
 * {@code weight / totalWeight} of all keys), never keys between the other members.
 *
 * <p>Immutable and thread-safe; {@link #with} and {@link #without} return new rings. Hashing is
 * deterministic across JVMs (FNV-1a over UTF-8, finished with a 64-bit mixer), so every process
 * with the same members computes the same owners.
 */
public final class HashRing {
  /** The virtual nodes per unit of weight unless set: 128. */
  public static final int DEFAULT_VIRTUAL_NODES = 128;

  private final Map<String, Integer> weights;
  private final int virtualNodes;
  private final long[] points;
  private final String[] owners;

  private HashRing(Map<String, Integer> weights, int virtualNodes) {
    this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    this.virtualNodes = virtualNodes;
    int n = 0;
    for (int w : weights.values()) {
      n += w * virtualNodes;
    }
    long[] keys = new long[n];
    String[] who = new String[n];
    int i = 0;
    for (Map.Entry<String, Integer> e : weights.entrySet()) {
      for (int v = 0; v < e.getValue() * virtualNodes; v++) {
        keys[i] = hash(e.getKey() + "#" + v);
        who[i] = e.getKey();
        i++;
      }
    }
    // sort points, keeping owners aligned; ties broken by member name so every JVM agrees
    Integer[] order = new Integer[n];
    for (int k = 0; k < n; k++) {
      order[k] = k;
    }
    Arrays.sort(order, (a, b) -> {
      int c = Long.compareUnsigned(keys[a], keys[b]);
      return c != 0 ? c : who[a].compareTo(who[b]);
    });
    this.points = new long[n];
    this.owners = new String[n];
    for (int k = 0; k < n; k++) {
      points[k] = keys[order[k]];
      owners[k] = who[order[k]];
    }
  }

  /** A builder for a ring (no members, {@value #DEFAULT_VIRTUAL_NODES} virtual nodes per unit of weight). */
  public static Builder builder() {
    return new Builder();
  }

  /** The members and their weights, in the order they were added. */
  public Map<String, Integer> members() {
    return weights;
  }

  /** Virtual nodes per unit of weight. */
  public int virtualNodes() {
    return virtualNodes;
  }

  /** True if the ring has no member. */
  public boolean isEmpty() {
    return points.length == 0;
  }

  /** The member owning {@code key}, or empty if the ring has no member. */
  public Optional<String> owner(String key) {
    Objects.requireNonNull(key, "key");
    if (points.length == 0) {
      return Optional.empty();
    }
    long h = hash(key);
    int lo = 0;
    int hi = points.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(points[mid], h) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return Optional.of(owners[lo == points.length ? 0 : lo]);
  }

  /**
   * This ring with {@code member} added (or its weight changed).
   *
   * @throws IllegalArgumentException if the weight is not in 1..1000
   */
  public HashRing with(String member, int weight) {
    Builder b = toBuilder();
    b.add(member, weight);
    return b.build();
  }

  /** This ring without {@code member} (the same ring if it is absent). */
  public HashRing without(String member) {
    if (!weights.containsKey(member)) {
      return this;
    }
    Map<String, Integer> w = new LinkedHashMap<>(weights);
    w.remove(member);
    return new HashRing(w, virtualNodes);
  }

  /** A builder holding this ring's members and settings. */
  public Builder toBuilder() {
    Builder b = new Builder().virtualNodes(virtualNodes);
    b.weights.putAll(weights);
    return b;
  }

  @Override
  public String toString() {
    return "HashRing" + weights + " x" + virtualNodes;
  }

  /** The ring's 64-bit hash of a string (stable across JVMs and versions of this class). */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    // murmur3 fmix64: spreads FNV's weak low bits over the whole word
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** Builds a {@link HashRing}; validates as it goes. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Integer> weights = new LinkedHashMap<>();
    private int virtualNodes = DEFAULT_VIRTUAL_NODES;

    private Builder() {}

    /**
     * Points per unit of weight (default {@value HashRing#DEFAULT_VIRTUAL_NODES}); more points
     * spread keys more evenly and cost memory ({@code members × weight × virtualNodes} entries).
     *
     * @throws IllegalArgumentException unless in 1..10,000
     */
    public Builder virtualNodes(int n) {
      if (n < 1 || n > 10_000) {
        throw new IllegalArgumentException("virtualNodes must be in 1..10000, got " + n);
      }
      this.virtualNodes = n;
      return this;
    }

    /** Adds a member of weight 1. */
    public Builder add(String member) {
      return add(member, 1);
    }

    /**
     * Adds a member (or changes its weight); a member of weight 2 owns about twice the keys of one
     * of weight 1.
     *
     * @throws IllegalArgumentException if the member is blank or the weight not in 1..1000
     */
    public Builder add(String member, int weight) {
      Objects.requireNonNull(member, "member");
      if (member.isBlank()) {
        throw new IllegalArgumentException("member must not be blank");
      }
      if (weight < 1 || weight > 1000) {
        throw new IllegalArgumentException("weight must be in 1..1000, got " + weight + " for " + member);
      }
      weights.put(member, weight);
      return this;
    }

    /** The ring. */
    public HashRing build() {
      return new HashRing(weights, virtualNodes);
    }
  }
}
