package dev.spindle.store.sqlite.internal;

import dev.spindle.queue.spi.ChangeListeners;
import dev.spindle.store.jdbc.JdbcJobStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices commits made by other connections and processes by polling {@code PRAGMA data_version}
 * (a few microseconds per poll, no file I/O while nothing changes) on its own connection and
 * platform thread, and calls the listeners. Polls only while someone listens. Thread-safe.
 */
public final class ChangePoller implements JdbcJobStore.ChangeFeed {
  private static final Logger LOG = LoggerFactory.getLogger(ChangePoller.class);
  private final Db db;
  private final long intervalNanos;
  private final ChangeListeners listeners;
  private final Object idle = new Object();
  private volatile boolean closed;
  private @Nullable Thread thread;

  public ChangePoller(Db db, long intervalNanos, ChangeListeners listeners) {
    this.db = db;
    this.intervalNanos = intervalNanos;
    this.listeners = listeners;
  }

  /** Starts polling if not started. */
  @Override
  public synchronized void start() {
    if (thread == null && !closed) {
      thread = Thread.ofPlatform().daemon().name("spindle-sqlite-changes").start(this::loop);
    }
    synchronized (idle) {
      idle.notifyAll();
    }
  }

  private void loop() {
    Db.Conn conn = null;
    long last = Long.MIN_VALUE;
    long backoff = 0;
    while (!closed) {
      try {
        if (listeners.isEmpty()) {
          synchronized (idle) {
            while (!closed && listeners.isEmpty()) {
              idle.wait(1000);
            }
          }
          continue;
        }
        if (conn == null) {
          conn = db.open();
        }
        PreparedStatement ps = conn.ps("PRAGMA data_version");
        long v;
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          v = rs.getLong(1);
        }
        if (last != Long.MIN_VALUE && v != last) {
          listeners.fire();
        }
        last = v;
        backoff = 0;
        LockSupport.parkNanos(intervalNanos);
      } catch (SQLException e) {
        if (conn != null) {
          db.discard(conn); // a failed connection may stay unusable: poll on a fresh one
          conn = null;
        }
        backoff = Math.min(Math.max(backoff * 2, TimeUnit.MILLISECONDS.toNanos(10)), TimeUnit.SECONDS.toNanos(1));
        LOG.debug("polling {} for changes failed: {}", db.file(), e.toString());
        listeners.fire(); // something may have changed; listeners re-check
        LockSupport.parkNanos(backoff);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

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
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
