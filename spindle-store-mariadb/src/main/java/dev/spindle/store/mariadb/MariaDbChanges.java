package dev.spindle.store.mariadb;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.ChangeListeners;
import dev.spindle.store.jdbc.JdbcJobStore;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The MariaDB store's change feed for other processes' writes: while anyone listens, a daemon
 * thread reads the newest job id and the last finish number every poll interval and wakes the
 * listeners when either moved (this process's own writes wake them at once). Other changes (a
 * retry, a release) are found by the workers' own poll. Thread-safe.
 */
final class MariaDbChanges implements JdbcJobStore.ChangeFeed {
  private static final String FINGERPRINT = "SELECT (SELECT coalesce(max(id), 0) FROM spindle_jobs),"
      + " (SELECT value FROM spindle_meta WHERE \"key\" = 'finish_seq')";
  private final MariaDbDb db;
  private final long intervalNanos;
  private final ChangeListeners listeners;
  private volatile boolean closed;
  private @Nullable Thread thread;

  MariaDbChanges(MariaDbDb db, long intervalNanos, ChangeListeners listeners) {
    this.db = db;
    this.intervalNanos = intervalNanos;
    this.listeners = listeners;
  }

  /** Starts polling if not started. */
  @Override
  public synchronized void start() {
    if (thread == null && !closed) {
      thread = Thread.ofPlatform().daemon().name("spindle-mariadb-changes").start(this::loop);
    }
  }

  private void loop() {
    String last = null;
    long backoff = 0;
    while (!closed) {
      if (listeners.isEmpty()) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        continue;
      }
      try {
        String now = db.read("poll for changes", c -> {
          try (ResultSet rs = c.ps(FINGERPRINT).executeQuery()) {
            rs.next();
            return rs.getLong(1) + ":" + rs.getLong(2);
          }
        });
        if (last != null && !now.equals(last)) {
          listeners.fire();
        }
        last = now;
        backoff = 0;
        LockSupport.parkNanos(intervalNanos);
      } catch (StoreException e) {
        backoff = Math.min(Math.max(backoff * 2, TimeUnit.MILLISECONDS.toNanos(10)), TimeUnit.SECONDS.toNanos(1));
        listeners.fire(); // something may have changed; listeners re-check
        LockSupport.parkNanos(backoff);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
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
