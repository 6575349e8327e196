package dev.spindle.coordination;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Spreads keys over the members of a group ({@link Coordinator#partitioner}): a {@link HashRing}
 * of the current members, each weighted by its capability {@code weight} (default 1), rebuilt when
 * the watch sees a join or leave. Each member asks {@link #owns} before working on a key; when the
 * ring changes, the listener hears the rings before and after and can hand over what moved.
 *
 * <p>Ownership is as current as the last poll: during the watch interval after a change, two
 * members may each believe they own a key. Guard work that must never be done twice with a
 * {@link FencedLock} per key, or make it idempotent. Thread-safe; close to stop watching.
 */
public final class Partitioner implements AutoCloseable {
  /** Hears ring changes (on the coordinator's scheduler thread). */
  @FunctionalInterface
  public interface OwnershipListener {
    /** The ring changed from {@code before} to {@code after}; keys whose owner differs moved. */
    void onChange(HashRing before, HashRing after);
  }

  private final String selfId;
  private final OwnershipListener listener;
  private volatile HashRing ring = HashRing.builder().build();
  private @Nullable GroupWatch watch;

  Partitioner(String selfId, OwnershipListener listener) {
    this.selfId = selfId;
    this.listener = listener;
  }

  GroupListener listener() {
    return new GroupListener() {
      @Override
      public void onMembers(List<Member> members) {
        HashRing.Builder b = HashRing.builder();
        for (Member m : members) {
          b.add(m.id(), m.weight());
        }
        HashRing after = b.build();
        HashRing before = ring;
        ring = after;
        listener.onChange(before, after);
      }
    };
  }

  void attach(GroupWatch w) {
    this.watch = w;
  }

  /** The current ring. */
  public HashRing ring() {
    return ring;
  }

  /** The member owning {@code key} now, or empty if the group is empty. */
  public Optional<String> owner(String key) {
    return ring.owner(key);
  }

  /** True if this member ({@code selfId}) owns {@code key} now. */
  public boolean owns(String key) {
    return owner(key).map(selfId::equals).orElse(false);
  }

  /** This member's id. */
  public String selfId() {
    return selfId;
  }

  /** Stops watching the group. */
  @Override
  public void close() {
    GroupWatch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
