package dev.spindle.store.postgres.internal;

import dev.spindle.queue.StoreException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The finished feed's safe horizon: the highest finish number up to which every number is final
 * (its job's terminal state is visible to any later read, or the number never appears).
 *
 * <p>Numbers come from the sequence {@code spindle_finish_seq}, which completions take side by side,
 * so they become visible out of order: number 11 may commit while the transaction holding 10 runs,
 * and a reader must not pass 10 until it ended. The protocol:
 *
 * <ol>
 *   <li>A transaction that finishes jobs first takes the advisory lock {@link #lockCall()} in shared
 *       mode (held to its end), then its numbers with {@code nextval}.
 *   <li>A reader reads the sequence's last number {@code L} (under its buffer lock, {@link
 *       #lastTaken}), then the lock's holders ({@code pg_locks}, by virtual transaction id). Every
 *       number up to {@code L} was taken by one of them or by an ended transaction; once a later
 *       read of {@code pg_locks} shows none of them, {@code L} is final.
 *   <li>Row reads run after the {@code pg_locks} read (READ COMMITTED: a snapshot per statement), so
 *       a transaction that released the lock is visible to them.
 * </ol>
 *
 * <p>Each read adds a candidate ({@code L}, holders) and settles earlier ones; the horizon is the
 * highest settled {@code L}: about one completion transaction behind the newest number while
 * completions run, equal to it otherwise. A store's first read waits (milliseconds, polling {@code
 * pg_locks}) until its first candidate settles. Thread-safe: reads take turns (only a later read
 * settles a candidate).
 */
public final class FinishHorizon {
  /** The first key of the advisory lock ("SPND"); the second is the schema's hash. */
  public static final int CLASS_KEY = 0x53504e44;
  /** How long the first read waits for transactions in flight before giving up. */
  private static final long FIRST_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** The most unsettled candidates kept (older ones are dropped: that only delays the horizon). */
  private static final int MAX_PENDING = 32;

  private final int key;
  private final String lockCall;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Candidate> pending = new ArrayDeque<>();
  private long stable = -1;

  private record Candidate(long last, Set<String> holders) {}

  /** A horizon for the store whose schema hashes to {@code key} (see {@link #keyOf}). */
  public FinishHorizon(int key) {
    this.key = key;
    this.lockCall = "pg_advisory_xact_lock_shared(" + CLASS_KEY + ", " + key + ")";
  }

  /** The second lock key of the store's schema, read on {@code c}. */
  public static int keyOf(Db.Conn c) throws SQLException {
    try (ResultSet rs = c.ps("SELECT hashtext('spindle-finish:' || current_schema())").executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** The SQL call that takes the finishing lock in shared mode, for a finishing statement. */
  public String lockCall() {
    return lockCall;
  }

  /**
   * The horizon now, read in the caller's transaction (which must be READ COMMITTED and read its rows
   * after this call).
   *
   * @throws StoreException BUSY if a finishing transaction stays open for 10 s on the first read
   */
  public long read(Db.Conn c) throws SQLException {
    lock.lock();
    try {
      long last = lastTaken(c);
      Set<String> holders = holders(c);
      settle(holders);
      if (holders.isEmpty()) {
        stable = Math.max(stable, last);
      } else if (stable < 0) {
        // nothing settled yet: wait for these transactions (completions last milliseconds)
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

  /**
   * The sequence's last number taken. Not {@code SELECT last_value}: that reads the tuple without
   * the buffer lock, where {@code nextval} briefly writes the value it logs ahead (up to 32 on), so
   * a reader could settle past numbers nobody holds yet. {@code pg_sequence_last_value} reads under
   * the lock but is null until the first {@code nextval} after {@code setval(..., false)}; the tuple
   * is then trusted only if a second locked read after it is still null (no {@code nextval} meanwhile).
   */
  private static long lastTaken(Db.Conn c) throws SQLException {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ResultSet rs = c.ps("SELECT pg_sequence_last_value('spindle_finish_seq'::regclass),"
          + " (SELECT last_value - 1 FROM spindle_finish_seq WHERE NOT is_called),"
          + " pg_sequence_last_value('spindle_finish_seq'::regclass)").executeQuery()) {
        rs.next();
        long locked = rs.getLong(1);
        if (!rs.wasNull()) {
          return locked;
        }
        long unlocked = rs.getLong(2);
        boolean none = rs.wasNull();
        rs.getLong(3);
        if (rs.wasNull() && !none) {
          return unlocked;
        }
      }
      // a first nextval ran meanwhile: read again, under the lock
    }
    return Long.MIN_VALUE; // nothing safe known: the horizon stays where it is
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

  private Set<String> holders(Db.Conn c) throws SQLException {
    java.sql.PreparedStatement ps = c.ps("SELECT virtualtransaction FROM pg_locks WHERE locktype = 'advisory'"
        + " AND classid = ?::bigint::oid AND objid = ?::bigint::oid AND objsubid = 2"
        + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
    ps.setLong(1, Integer.toUnsignedLong(CLASS_KEY));
    ps.setLong(2, Integer.toUnsignedLong(key));
    Set<String> out = new HashSet<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
