package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The engine's connection layer for an embedded, single-writer database: one writer connection,
 * taken by every write transaction of this process under a lock held for all its attempts, and a
 * small pool of readers; connections are kept open (statements cached for their life) and one that
 * an error may have broken ({@link SqlConn#broken}) is replaced by a fresh one before its next use.
 * Closing refuses new calls, waits up to 10 s for reads in flight, then closes every connection.
 * The subclass opens and configures a connection ({@link #connect}: driver settings, pragmas) and
 * translates errors. Thread-safe.
 *
 * @param <C> the connection type
 */
public abstract class SqlSingleWriter<C extends SqlConn> extends SqlTransactions<C> {
  private final int readerCount;
  private final String beginWrite;
  private final String beginRead;
  private final BlockingQueue<C> readers;
  private final List<C> all = new ArrayList<>();
  private final ReentrantLock writeLock = new ReentrantLock();
  /** Guarded by {@link #writeLock}; replaced after an error that may have left it unusable. */
  private @Nullable C writer;

  /**
   * @param readers how many reader connections
   * @param beginWrite the statement that begins a write transaction (SQLite: {@code BEGIN IMMEDIATE},
   *     which takes the database's write lock now); {@code beginRead} one that only reads
   */
  protected SqlSingleWriter(JdbcDialect dialect, Duration busyTimeout, boolean offload, String describe, int readers,
      String beginWrite, String beginRead) {
    super(dialect, busyTimeout, offload, describe);
    this.readerCount = readers;
    this.beginWrite = beginWrite;
    this.beginRead = beginRead;
    this.readers = new ArrayBlockingQueue<>(readers);
  }

  /** A new connection, configured; not yet tracked (see {@link #open}). */
  protected abstract C connect() throws SQLException;

  /**
   * Opens the writer and the readers: the last step of the subclass's constructor. On failure the
   * connections opened are closed and the error thrown.
   */
  protected final void openConnections() throws SQLException {
    try {
      writer = open();
      for (int i = 0; i < readerCount; i++) {
        readers.add(open());
      }
    } catch (SQLException | RuntimeException e) {
      closeAll();
      throw e;
    }
  }

  /** Opens one more connection, closed with the others when this closes. */
  public final C open() throws SQLException {
    C c = connect();
    synchronized (all) {
      all.add(c);
    }
    return c;
  }

  /** Closes {@code c} and forgets it. */
  public final void discard(C c) {
    synchronized (all) {
      all.remove(c);
    }
    c.close();
  }

  /** {@code c}, or a fresh connection replacing it if an error may have broken it. */
  private C usable(C c) throws SQLException {
    if (!c.broken()) {
      return c;
    }
    C fresh = open();
    discard(c);
    return fresh;
  }

  /** Writes take the one writer under this process's lock, for all their attempts. */
  @Override
  protected final void enter(boolean write) {
    if (write) {
      writeLock.lock();
    }
  }

  @Override
  protected final void exit(boolean write) {
    if (write) {
      writeLock.unlock();
    }
  }

  /** The writer (guarded by the lock {@link #enter} took) or a reader, replaced if broken. */
  @Override
  protected final C acquire(boolean write) throws SQLException {
    if (write) {
      C w = usable(Objects.requireNonNull(writer, "the writer (opened by the constructor)"));
      writer = w;
      return w;
    }
    C c = takeReader();
    try {
      return usable(c);
    } catch (SQLException | RuntimeException e) {
      readers.add(c);
      throw e;
    }
  }

  @Override
  protected final void release(C c, boolean write) {
    if (!write) {
      readers.add(c);
    }
  }

  @Override
  protected final void begin(C c, boolean write) throws SQLException {
    c.exec(write ? beginWrite : beginRead);
  }

  @Override
  protected final void commit(C c) throws SQLException {
    c.exec("COMMIT");
  }

  @Override
  protected final void rollback(C c) {
    c.clearBatches();
    try {
      c.exec("ROLLBACK");
    } catch (SQLException e) {
      // no transaction active (the database already rolled back): nothing to do
    }
  }

  /** A reader from the pool; fails once the store closes rather than wait for a pool it drained. */
  private C takeReader() {
    try {
      while (true) {
        C c = readers.poll(50, TimeUnit.MILLISECONDS);
        if (c != null) {
          return c;
        }
        checkOpen();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(StoreException.Reason.IO, "interrupted while waiting for a database connection");
    }
  }

  /** Closes every connection once in-flight work is done. Idempotent. */
  @Override
  public void close() {
    if (!shutDown()) {
      return;
    }
    writeLock.lock();
    try {
      awaitReaders(Duration.ofSeconds(10));
      closeAll();
    } finally {
      writeLock.unlock();
    }
  }

  /** Waits until every reader is back in the pool (reads in flight have ended), up to {@code max}. */
  private void awaitReaders(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    int back = 0;
    try {
      while (back < readerCount) {
        C c = readers.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (c == null) {
          return; // a reader is stuck; closing it makes its holder fail with a closed-store error
        }
        back++;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeAll() {
    synchronized (all) {
      for (C c : all) {
        c.close();
      }
      all.clear();
    }
  }
}
