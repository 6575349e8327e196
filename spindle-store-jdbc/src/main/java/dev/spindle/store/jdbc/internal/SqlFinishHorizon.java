package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.StoreException;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The finished feed's safe horizon where finish numbers come from a sequence that completions take
 * side by side: the highest number up to which every number is final (its job's terminal state is
 * visible to any later read, or the number never appears). Number 11 may commit while the
 * transaction holding 10 runs, so a reader must not pass 10 until that transaction ended.
 *
 * <p>The protocol: a finishing transaction first takes a shared "finishing lock" (held to its end),
 * then its numbers. A reader reads the sequence's last number taken {@code L} ({@link #lastTaken}),
 * then the lock's holders ({@link #holders}): every number up to {@code L} was taken by one of them
 * or by an ended transaction, so once a later read shows none of them, {@code L} is final. Row
 * reads run after the holders' read (READ COMMITTED: a snapshot per statement). Each read adds a
 * candidate ({@code L}, holders) and settles earlier ones; the horizon is the highest settled
 * {@code L}: about one completion transaction behind the newest number while completions run. A
 * store's first read waits (polling the holders every millisecond, 10 s at most) until its first
 * candidate settles. A dialect supplies the two reads. Thread-safe: reads take turns.
 *
 * @param <C> the dialect's connection type
 */
public abstract class SqlFinishHorizon<C> {
  /** How long the first read waits for transactions in flight before giving up. */
  private static final long FIRST_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** The most unsettled candidates kept (older ones are dropped: that only delays the horizon). */
  private static final int MAX_PENDING = 32;

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Candidate> pending = new ArrayDeque<>();
  private long stable = -1;

  private record Candidate(long last, Set<String> holders) {}

  /**
   * The sequence's last number taken, read so that no number a transaction may still take is
   * below it; {@link Long#MIN_VALUE} when nothing safe is known (the horizon then stays).
   */
  protected abstract long lastTaken(C c) throws SQLException;

  /** The transactions holding the finishing lock now, by an id unique while they run. */
  protected abstract Set<String> holders(C c) throws SQLException;

  /**
   * The horizon now, read in the caller's transaction (which must be READ COMMITTED and read its rows
   * after this call).
   *
   * @throws StoreException BUSY if a finishing transaction stays open for 10 s on the first read
   */
  public final long read(C c) throws SQLException {
    lock.lock();
    try {
      long last = lastTaken(c);
      Set<String> holders = holders(c);
      settle(holders);
      if (holders.isEmpty()) {
        stable = Math.max(stable, last);
      } else if (stable < 0) {
        stable = Math.max(stable, waitForFirst(c, holders, last));
      } else {
        if (pending.size() == MAX_PENDING) {
          pending.removeFirst();
        }
        pending.addLast(new Candidate(last, holders));
      }
      return stable;
    } finally {
      lock.unlock();
    }
  }

  /** Nothing settled yet: waits for {@code holders} to end (completions last milliseconds), then {@code last} is final. */
  private long waitForFirst(C c, Set<String> holders, long last) throws SQLException {
    long deadline = System.nanoTime() + FIRST_WAIT_NANOS;
    Set<String> now = holders;
    while (!disjoint(holders, now)) {
      if (System.nanoTime() > deadline) {
        throw new StoreException(StoreException.Reason.BUSY, "a transaction finishing jobs has been open for"
            + " 10 s; the finished feed waits for it");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      now = holders(c);
    }
    stable = Math.max(stable, last);
    settle(now);
    return stable;
  }

  private void settle(Set<String> holders) {
    pending.removeIf(p -> {
      if (disjoint(p.holders, holders)) {
        stable = Math.max(stable, p.last);
        return true;
      }
      return p.last <= stable;
    });
  }

  private static boolean disjoint(Set<String> a, Set<String> b) {
    for (String s : a) {
      if (b.contains(s)) {
        return false;
      }
    }
    return true;
  }
}
