package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.store.ChangeListeners;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcJobStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The polling change feed of the SQL stores: while anyone listens, a daemon platform thread reads
 * the store's newest change number (a query the dialect module gives: SQLite's {@code PRAGMA
 * data_version}, the newest job id and finish number elsewhere) every poll interval and wakes the
 * listeners when it moved, and, if {@code heartbeatNanos > 0}, at least that often anyway. This
 * process's own writes wake them at once without it. A failure (of the read, or a listener's
 * {@link Error}, logged) does not end the thread: it wakes the listeners (something may have
 * changed), the source is opened afresh after a backoff of 10 ms doubling to 1 s, and the first
 * number read from it wakes them again (commits in between are not lost). Thread-safe.
 */
public final class SqlChangePoller implements JdbcJobStore.ChangeFeed {
  private static final Logger LOG = LoggerFactory.getLogger(SqlChangePoller.class);

  /** Where the newest change number is read; one is used by the polling thread only. */
  public interface Source extends AutoCloseable {
    /** The newest change number; any value that moves when the store changed. */
    long newest() throws SQLException;

    /** Closes what it holds. Quiet. */
    @Override
    default void close() {}
  }

  /** Opens a {@link Source}: at start, and again after one failed. */
  @FunctionalInterface
  public interface Sources {
    /** A fresh source. */
    Source open() throws SQLException;
  }

  /** Opens a JDBC connection outside any pool, in auto-commit mode. */
  @FunctionalInterface
  public interface Opener {
    /** A new connection, the caller's to close. */
    Connection open() throws SQLException;
  }

  private final String name;
  private final Sources sources;
  private final long intervalNanos;
  private final long heartbeatNanos;
  private final ChangeListeners listeners;
  private final Object idle = new Object();
  private volatile boolean closed;
  private @Nullable Thread thread;

  /**
   * @param name the thread's name
   * @param intervalNanos how long the thread waits between reads
   * @param heartbeatNanos wake the listeners at least this often while they listen (0: only on a change)
   */
  public SqlChangePoller(String name, Sources sources, long intervalNanos, long heartbeatNanos,
      ChangeListeners listeners) {
    this.name = name;
    this.sources = sources;
    this.intervalNanos = intervalNanos;
    this.heartbeatNanos = heartbeatNanos;
    this.listeners = listeners;
  }

  /**
   * {@code query} (one row, one number) on a connection of its own, kept between polls: for a
   * number that is per connection (SQLite's {@code data_version}) or to keep polls off the pool.
   */
  public static Sources dedicated(Opener opener, String query) {
    return () -> {
      Connection c = opener.open();
      PreparedStatement ps;
      try {
        ps = c.prepareStatement(query);
      } catch (SQLException | RuntimeException e) {
        closeQuietly(c);
        throw e;
      }
      return new Source() {
        @Override
        public long newest() throws SQLException {
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        }

        @Override
        public void close() {
          closeQuietly(c);
        }
      };
    };
  }

  /** {@code query} (one row, one number) in a read transaction of {@code db} each poll. */
  public static <C extends JdbcConn> Sources pooled(SqlDb<C> db, String query) {
    Source s = () -> db.read("poll for changes", c -> {
      try (ResultSet rs = c.ps(query).executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
    return () -> s;
  }

  /** Starts polling if not started. */
  @Override
  public synchronized void start() {
    if (thread == null && !closed) {
      thread = Thread.ofPlatform().daemon().name(name).start(this::loop);
    }
    synchronized (idle) {
      idle.notifyAll();
    }
  }

  private void loop() {
    Source source = null;
    long last = 0;
    boolean seen = false;
    boolean recovering = false;
    long lastFire = System.nanoTime();
    long backoff = 0;
    while (!closed) {
      try {
        if (listeners.isEmpty()) {
          awaitListeners();
          continue;
        }
        if (source == null) {
          source = sources.open();
        }
        long v = source.newest();
        // after a failure the first read is the new baseline: commits before it may have gone unseen
        boolean moved = seen ? v != last : recovering;
        last = v;
        seen = true;
        recovering = false;
        backoff = 0;
        if (moved || (heartbeatNanos > 0 && System.nanoTime() - lastFire >= heartbeatNanos)) {
          lastFire = System.nanoTime();
          listeners.fire();
        }
        LockSupport.parkNanos(intervalNanos);
      } catch (InterruptedException e) {
        break;
      } catch (SQLException | RuntimeException | Error e) {
        if (e instanceof Error) {
          LOG.warn("{}: polling for changes failed; starting over", name, e);
        } else {
          LOG.debug("{}: polling for changes failed: {}", name, e.toString());
        }
        if (source != null) {
          source.close(); // a failed connection may stay unusable: poll on a fresh one
          source = null;
        }
        seen = false;
        recovering = true;
        backoff = Math.min(Math.max(backoff * 2, TimeUnit.MILLISECONDS.toNanos(10)), TimeUnit.SECONDS.toNanos(1));
        fireQuietly(); // something may have changed; listeners re-check
        LockSupport.parkNanos(backoff);
      }
    }
    if (source != null) {
      source.close();
    }
  }

  private void awaitListeners() throws InterruptedException {
    synchronized (idle) {
      while (!closed && listeners.isEmpty()) {
        idle.wait(1000);
      }
    }
  }

  private void fireQuietly() {
    try {
      listeners.fire();
    } catch (RuntimeException | Error e) {
      LOG.warn("{}: a change listener failed", name, e);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // closing anyway
    }
  }

  /** Stops polling and closes the source, waiting up to 3 s for the thread. Idempotent. */
  @Override
  public void close() {
    closed = true;
    synchronized (idle) {
      idle.notifyAll();
    }
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      LockSupport.unpark(t);
      try {
        t.join(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
