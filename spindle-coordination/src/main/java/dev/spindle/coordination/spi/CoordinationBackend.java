package dev.spindle.coordination.spi;

import dev.spindle.coordination.Holder;
import dev.spindle.coordination.Member;
import dev.spindle.coordination.RegisterValue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A store that coordinates: every method is one atomic step judged on the <em>store's</em> clock
 * ({@link #now()}), never on the caller's. A backend keeps, per name, a set of holders with expiry
 * times and a fencing-token sequence that never goes back (not even after every holder is gone);
 * per group, members with expiry times and capabilities; per register, a value and the highest
 * token that wrote it.
 *
 * <p>Implementations are thread-safe and may be shared by every lock, group and register of one
 * {@link dev.spindle.coordination.Coordinator}. Failures to reach the store are
 * {@link dev.spindle.coordination.CoordinationException}s.
 */
public interface CoordinationBackend extends AutoCloseable {
  /** The result of {@link #tryAcquire}: granted with a token, or refused with a hint how long to wait. */
  record Grant(boolean granted, long token, Duration retryAfter) {
    /** A granted acquisition. */
    public static Grant of(long token) {
      return new Grant(true, token, Duration.ZERO);
    }

    /** A refusal: the earliest current holder expires in {@code retryAfter}. */
    public static Grant refused(Duration retryAfter) {
      return new Grant(false, 0, retryAfter);
    }
  }

  /**
   * Drops expired holders of {@code name}, then grants {@code holder} one of {@code permits} if one
   * is free: the grant carries the next token of {@code name}'s sequence (strictly greater than
   * every token granted before under that name) and expires {@code lease} after the store's now.
   */
  Grant tryAcquire(String name, int permits, String holder, Duration lease);

  /** Extends the holder's lease to {@code lease} after the store's now; false if it is no longer held (expired or taken). */
  boolean renew(String name, String holder, long token, Duration lease);

  /** Releases the holder's lease; false if it was no longer held. */
  boolean release(String name, String holder, long token);

  /** The unexpired holders of {@code name}, oldest token first. */
  List<Holder> holders(String name);

  /**
   * Joins {@code group} or refreshes the membership (upsert), expiring {@code ttl} after the
   * store's now; true if the member was not in the group (first join, or it had expired).
   */
  boolean heartbeat(String group, String member, String capabilitiesJson, Duration ttl);

  /** Removes the member from the group (no-op if absent). */
  void leave(String group, String member);

  /** The unexpired members of {@code group}, by id; expired ones are dropped. */
  List<Member> members(String group);

  /**
   * Writes {@code value} to register {@code name} if {@code token} is at least the highest token
   * that wrote it (a holder may write several times under one token); false, changing nothing,
   * for a stale token.
   */
  boolean writeFenced(String name, long token, String value);

  /** The register's value and last token, if it was ever written. */
  Optional<RegisterValue> read(String name);

  /**
   * Reads the register under {@code token} and raises its fence to {@code token} if lower, in one
   * atomic step: a holder with a smaller token can no longer write, so a read-modify-write by the
   * newest holder cannot be overtaken by an older one that read the same value. Empty if the
   * register holds no value yet (the fence is raised all the same).
   */
  Optional<RegisterValue> readFenced(String name, long token);

  /**
   * Asks to be told, best effort, when a holder of any name releases it (also in other processes
   * where the store can say so: Redis publishes each release); waiters then retry at once instead
   * of at their next poll. The default tells nothing: waiters poll.
   */
  default void onReleased(Consumer<String> listener) {}

  /** The store's clock. */
  Instant now();

  /** What this backend guarantees, in a sentence (shown by tools and logs). */
  String guarantees();

  /** Releases connections; idempotent. */
  @Override
  void close();
}
