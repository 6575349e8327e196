package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.JdbcDialect;
import dev.spindle.store.jdbc.JdbcDialect.ErrorKind;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The engine's connection layer: every call one transaction, committed when its work returns and
 * rolled back when it throws, retried as the dialect classifies the error, and translated to a
 * {@link StoreException} otherwise. What differs between databases is the strategy a subclass
 * gives: where a transaction's connection comes from ({@link #acquire}: one writer and a few
 * readers, or a pool), how a transaction begins and ends, and how errors read. Thread-safe.
 *
 * <p>Retries: {@link ErrorKind#BUSY} waits 200 us and tries again until the busy timeout since the
 * call began; with {@link JdbcDialect.Writers#POOL}, a serialization failure or a unique-key race
 * runs the whole transaction again, and a read whose connection was lost runs again on another
 * connection, up to {@value #ATTEMPTS} attempts with a random pause of up to 2 ms times the
 * attempt. A connection that failed otherwise than busy is marked broken ({@link SqlConn#broken}).
 * Calls made on virtual threads can be carried out on platform threads ({@code offload}), for
 * drivers that pin or block their carrier.
 *
 * @param <C> the connection type
 */
public abstract class SqlTransactions<C extends SqlConn> implements SqlDb<C> {
  /** The most attempts of a transaction that failed with a serialization failure or a lost read. */
  static final int ATTEMPTS = 5;

  private final JdbcDialect dialect;
  private final long busyNanos;
  private final String closedMessage;
  private final @Nullable ExecutorService platform;
  private final AtomicLong offloaded = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param busyTimeout how long a call retries while the database is busy (0: never)
   * @param offload carry out calls of virtual threads on a few platform threads
   * @param describe the store's location without secrets, for the closed store's message
   */
  protected SqlTransactions(JdbcDialect dialect, Duration busyTimeout, boolean offload, String describe) {
    this.dialect = dialect;
    this.busyNanos = busyTimeout.toNanos();
    this.closedMessage = "the job store " + describe + " is closed";
    this.platform = offload ? Executors.newFixedThreadPool(4,
        Thread.ofPlatform().daemon().name("spindle-" + dialect.name() + "-io-", 0).factory()) : null;
  }

  /** Called once per call before its attempts (the one writer's lock). Default: nothing. */
  protected void enter(boolean write) {}

  /** Called once per call after its attempts. Default: nothing. */
  protected void exit(boolean write) {}

  /** The connection of one attempt of a transaction that writes or only reads. */
  protected abstract C acquire(boolean write) throws SQLException;

  /** Hands back the connection of an attempt, which has committed or rolled back. */
  protected abstract void release(C c, boolean write);

  /** Begins the transaction (nothing where auto-commit is off). */
  protected abstract void begin(C c, boolean write) throws SQLException;

  /** Commits. */
  protected abstract void commit(C c) throws SQLException;

  /**
   * Begins work for {@link #writeOne}: by default a write transaction ({@link #begin}); a store
   * that can puts the connection in auto-commit, and {@link #endOne} then commits nothing.
   */
  protected void beginOne(C c) throws SQLException {
    begin(c, true);
  }

  /** Ends work begun by {@link #beginOne}: by default {@link #commit}. */
  protected void endOne(C c) throws SQLException {
    commit(c);
  }

  /** Rolls back, quietly (a connection with no transaction, or a broken one). */
  protected abstract void rollback(C c);

  /**
   * The error a failed call reports.
   *
   * @param lostAtCommit the connection was lost while a write committed: it may have committed
   */
  protected abstract StoreException translate(SQLException e, String operation, boolean lostAtCommit);

  /** Fails if calls are no longer accepted. Default: once closed ({@link StoreException.Reason#CLOSED}). */
  protected void checkOpen() {
    if (closed) {
      throw new StoreException(StoreException.Reason.CLOSED, closedMessage);
    }
  }

  /** Whether {@link #shutDown} was called. */
  protected final boolean isClosed() {
    return closed;
  }

  /** Refuses new calls and waits up to 10 s for offloaded calls in flight; returns whether it was open. */
  protected final boolean shutDown() {
    if (closed) {
      return false;
    }
    closed = true;
    if (platform != null) {
      platform.shutdown();
      try {
        platform.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return true;
  }

  /** How many calls were moved off virtual threads (for tests). */
  public final long offloadedCalls() {
    return offloaded.get();
  }

  /** Runs {@code work} in a transaction that may write, retried as the class describes. */
  @Override
  public final <T> T write(String operation, Work<C, T> work) {
    return call(() -> tx(operation, work, true, false));
  }

  /** Runs {@code work}, whose only write is its first statement, as {@link #beginOne} allows. */
  @Override
  public final <T> T writeOne(String operation, Work<C, T> work) {
    return call(() -> tx(operation, work, true, true));
  }

  /** Runs {@code work} in a transaction that only reads: one consistent snapshot. */
  @Override
  public final <T> T read(String operation, Work<C, T> work) {
    return call(() -> tx(operation, work, false, false));
  }

  private <T> T tx(String operation, Work<C, T> work, boolean write, boolean one) {
    checkOpen();
    enter(write);
    try {
      long deadline = System.nanoTime() + busyNanos;
      for (int attempt = 1; ; attempt++) {
        C c;
        try {
          c = acquire(write);
        } catch (SQLException e) {
          checkOpen();
          throw translate(e, operation, false);
        }
        // an auto-committed statement (beginOne) commits as it runs: lost then, it may have committed
        boolean committing = one;
        try {
          if (one) {
            beginOne(c);
          } else {
            begin(c, write);
          }
          T result = work.run(c);
          committing = true;
          if (one) {
            endOne(c);
          } else {
            commit(c);
          }
          return result;
        } catch (SQLException e) {
          rollback(c);
          ErrorKind kind = dialect.classify(e);
          if (again(kind, write, attempt, deadline)) {
            continue;
          }
          if (kind != ErrorKind.BUSY) {
            c.markBroken();
          }
          if (closed) {
            checkOpen();
          }
          throw translate(e, operation, committing && write && kind == ErrorKind.CONNECTION_LOST);
        } catch (RuntimeException | Error e) {
          rollback(c);
          throw e;
        } finally {
          release(c, write);
        }
      }
    } finally {
      exit(write);
    }
  }

  /** Whether a transaction that failed with {@code kind} runs again (after a pause). */
  private boolean again(ErrorKind kind, boolean write, int attempt, long deadline) {
    boolean pooled = dialect.writers() == JdbcDialect.Writers.POOL;
    if (kind == ErrorKind.BUSY && System.nanoTime() < deadline) {
      LockSupport.parkNanos(200_000);
      return true;
    }
    boolean conflict = pooled && (kind == ErrorKind.SERIALIZATION_FAILURE || kind == ErrorKind.UNIQUE_VIOLATION);
    boolean lostRead = pooled && !write && kind == ErrorKind.CONNECTION_LOST;
    if ((conflict || lostRead) && attempt < ATTEMPTS) {
      LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(100_000, 2_000_000L * attempt));
      return true;
    }
    return false;
  }

  /** Runs {@code call} here, or on a platform thread if this is a virtual one and calls are offloaded. */
  private <T> T call(Callable<T> call) {
    if (platform == null || !Thread.currentThread().isVirtual()) {
      try {
        return call.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    offloaded.incrementAndGet();
    Future<T> f;
    try {
      f = platform.submit(call);
    } catch (RejectedExecutionException e) {
      throw new StoreException(StoreException.Reason.CLOSED, closedMessage, e);
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true; // the database call runs to its end; keep the interrupt for the caller
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof RuntimeException r) {
            throw r;
          }
          if (c instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException(c);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
