package dev.spindle.store.postgres.internal;

import dev.spindle.queue.store.ChangeListeners;
import dev.spindle.store.jdbc.JdbcJobStore;
import dev.spindle.store.jdbc.internal.CoalescingSender;
import dev.spindle.store.jdbc.internal.SqlChangePoller;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Tells the listeners when the store may have changed, in any process.
 *
 * <p>With NOTIFY on, a dedicated connection (outside the pool) LISTENs on the store's channel as
 * the source of the engine's {@link SqlChangePoller}; writers send a coalesced {@code pg_notify}
 * after they commit ({@link #signal}, a {@link CoalescingSender}). Listeners are
 * also called every {@code pollNanos} (at most 1 s), which bounds the delay of a lost notification.
 * With NOTIFY off (PgBouncer in transaction pooling) the poller reads the job id sequence and the
 * finish counter every {@code pollNanos} instead.
 *
 * <p>A half-open LISTEN connection (peer gone without FIN or RST) would deliver nothing: after
 * {@code 10 * pollNanos} (at least 1 s) without a notification a round trip ({@link
 * Connection#isValid}) checks it, and one silent for {@link #ROUND_TRIP_TIMEOUT_SECONDS} (every
 * statement's timeout there) is replaced. An exception or {@link Error} (a listener's, say) does
 * not end the watching thread. Thread-safe.
 */
public final class ChangeFeed implements JdbcJobStore.ChangeFeed {
  /** How long a round trip on the watching connection may take before it counts as dead and is replaced. */
  static final int ROUND_TRIP_TIMEOUT_SECONDS = 5;
  /** The newest change number polled with NOTIFY off: moves with every new job and every finish. */
  private static final String NEWEST_CHANGE = "SELECT (SELECT last_value FROM spindle_job_ids) * 7"
      + " + (SELECT last_value FROM spindle_finish_seq)";

  private final Db db;
  private final String channel;
  private final boolean notify;
  private final long pollNanos;
  private final long probeAfterNanos;
  private final AtomicLong notified = new AtomicLong();
  /** Sends the coalesced NOTIFY of this process's commits. */
  private final CoalescingSender sender;
  /** The thread that wakes the listeners: on the LISTEN connection, or polling with NOTIFY off. */
  private final SqlChangePoller watcher;

  /**
   * @param channel the LISTEN channel (a quoted identifier is made of it)
   * @param notify whether to use LISTEN/NOTIFY (else poll)
   * @param pollNanos the fallback poll interval
   */
  public ChangeFeed(Db db, String channel, boolean notify, long pollNanos, ChangeListeners listeners) {
    this.db = db;
    this.channel = channel;
    this.notify = notify;
    this.pollNanos = pollNanos;
    this.probeAfterNanos = Math.max(10 * pollNanos, TimeUnit.SECONDS.toNanos(1));
    // with LISTEN the wait is in the source's read (for a notification), so none between reads
    this.watcher = notify ? new SqlChangePoller("spindle-pg-changes", Listening::new, 0, pollNanos, listeners)
        : new SqlChangePoller("spindle-pg-changes", SqlChangePoller.dedicated(() -> watching(db), NEWEST_CHANGE),
            pollNanos, pollNanos, listeners);
    this.sender = new CoalescingSender("spindle-pg-notify", () -> db.update("notify listeners", this::notifyIn));
  }

  /** Whether this feed uses LISTEN/NOTIFY. */
  public boolean notifying() {
    return notify;
  }

  /** How many times a notification woke this feed's listeners (not a poll), since it started. */
  public long wakeUpsByNotification() {
    return notified.get();
  }

  /** Sends a notification in {@code c}'s transaction (delivered at its commit), if NOTIFY is on. */
  public void notifyIn(Db.Conn c) throws SQLException {
    if (notify) {
      PreparedStatement ps = c.ps("SELECT pg_notify(?, '')");
      ps.setString(1, channel);
      ps.execute();
    }
  }

  /** Starts watching if not started. */
  @Override
  public void start() {
    watcher.start();
  }

  /**
   * After a commit that changed the store: sends one NOTIFY soon (coalesced with the other signals
   * of this process). Never blocks, on the database or on a lock: every commit of this process
   * calls it (enqueues, completions, steps), so while a NOTIFY is in flight a signal is one read.
   */
  @Override
  public void signal() {
    if (notify) {
      sender.signal();
    }
  }

  /**
   * The LISTEN connection as the poller's source: each read waits up to {@code pollNanos} and
   * counts notifications. The LISTEN counts as one (the second read), so changes made while nobody
   * listened wake the listeners at once. Used by the poller's thread only.
   */
  private final class Listening implements SqlChangePoller.Source {
    private final Connection conn;
    /** One for the LISTEN, and one per notification. */
    private long count = 1;
    /** Reads so far, up to 2 (see {@link #newest}). */
    private int reads;
    private long lastHeard = System.nanoTime();

    Listening() throws SQLException {
      conn = watching(db);
      try (Statement st = conn.createStatement()) {
        st.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
      } catch (SQLException | RuntimeException e) {
        close();
        throw e;
      }
    }

    @Override
    public long newest() throws SQLException {
      if (reads < 2) {
        return reads++; // 0: the poller's baseline; then 1 at once, so the listeners look after the LISTEN
      }
      PGNotification[] got = conn.unwrap(PGConnection.class)
          .getNotifications((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(pollNanos)));
      if (got != null && got.length > 0) {
        notified.incrementAndGet();
        lastHeard = System.nanoTime();
        count += got.length;
      } else if (System.nanoTime() - lastHeard >= probeAfterNanos) {
        // quiet for a while: a cheap round trip tells a quiet store from a half-open connection
        if (!conn.isValid(ROUND_TRIP_TIMEOUT_SECONDS)) {
          throw new SQLException("the LISTEN connection did not answer within " + ROUND_TRIP_TIMEOUT_SECONDS
              + " s (half-open?); reconnecting", "08006");
        }
        lastHeard = System.nanoTime();
      }
      return count;
    }

    @Override
    public void close() {
      try {
        conn.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
  }

  /** A connection outside the pool whose statements fail after the round-trip timeout instead of hanging. */
  private static Connection watching(Db db) throws SQLException {
    Connection c = db.dedicated();
    c.setNetworkTimeout(null, (int) TimeUnit.SECONDS.toMillis(ROUND_TRIP_TIMEOUT_SECONDS));
    return c;
  }

  @Override
  public void close() {
    sender.close();
    watcher.close();
  }
}
