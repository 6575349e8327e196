package dev.spindle.store.sqlite.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.internal.SqlDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.BusyHandler;

/**
 * The SQLite connections of one store: one writer (every write transaction of this process, serialized
 * by a lock, BEGIN IMMEDIATE), a small pool of readers (WAL lets them read while another process
 * writes), busy handling with sub-millisecond backoff up to the busy timeout, and error translation.
 * Calls made on virtual threads are carried out on platform threads. Thread-safe.
 */
public final class Db implements SqlDb<Db.Conn>, AutoCloseable {
  private static final int READERS = 3;

  private static final Logger LOG = LoggerFactory.getLogger(Db.class);

  private final Path file;
  private final String what;
  /** The identity (device and inode) of the file when it was opened; null if unknown. */
  private final @Nullable Object fileKey;
  /** Set once the file was found deleted or replaced: every later call fails with it. */
  private volatile @Nullable StoreException replaced;
  private final Duration busyTimeout;
  private final long maxDatabaseBytes;
  private final boolean fullSync;
  /** Guarded by {@link #writeLock}; replaced after an error that may have left it unusable. */
  private Conn writer;
  private final BlockingQueue<Conn> readers = new ArrayBlockingQueue<>(READERS);
  private final List<Conn> all = new ArrayList<>();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ExecutorService platform;
  private final AtomicLong offloaded = new AtomicLong();
  private volatile boolean closed;

  /**
   * A connection with a cache of prepared statements. Used by one thread at a time; its methods
   * synchronize only so that {@link Db#close} can close it safely while a late caller still holds it.
   */
  public static final class Conn implements JdbcConn {
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    /** Set after an error other than busy: SQLite may have left a statement or transaction half done. */
    private boolean broken;
    private boolean closed;

    Conn(Connection connection) {
      this.connection = connection;
    }

    /**
     * Forgets whatever batches the cached statements hold: after a transaction that failed, so that
     * no batch it left half built goes into a later one.
     */
    synchronized void clearBatches() {
      for (PreparedStatement ps : statements.values()) {
        try {
          ps.clearBatch();
        } catch (SQLException e) {
          // a closed statement holds no batch
        }
      }
    }

    /** A cached prepared statement for {@code sql}. */
    @Override
    public synchronized PreparedStatement ps(String sql) throws SQLException {
      if (closed) {
        throw new SQLException("the connection is closed");
      }
      PreparedStatement ps = statements.get(sql);
      if (ps == null) {
        ps = connection.prepareStatement(sql);
        statements.put(sql, ps);
      }
      return ps;
    }

    /** Runs a statement without a result (prepared once, then reused). */
    public void exec(String sql) throws SQLException {
      ps(sql).execute();
    }

    /** Runs a one-off statement (DDL, pragmas) without caching it. */
    public void execOnce(String sql) throws SQLException {
      try (Statement st = connection.createStatement()) {
        st.execute(sql);
      }
    }

    /** The JDBC connection. */
    @Override
    public Connection jdbc() {
      return connection;
    }

    synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      for (PreparedStatement ps : statements.values()) {
        try {
          ps.close();
        } catch (SQLException e) {
          // closing anyway
        }
      }
      try {
        connection.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
  }

  /**
   * Opens the connections to a file checked and, if missing, created by {@link FilePrivacy}
   * ({@link FilePrivacy.Opening#CREATE}, readable-by-others only warned about).
   *
   * @param what what the file is, for messages ("coordination database")
   * @throws StoreException if the file cannot be opened or is refused
   */
  public Db(Path file, Duration busyTimeout, long maxDatabaseBytes, boolean fullSync, String what) {
    this(file, busyTimeout, maxDatabaseBytes, fullSync, FilePrivacy.Opening.CREATE, what, false);
  }

  /**
   * Checks (and creates, if {@code opening} allows) the file with {@link FilePrivacy}, then opens
   * the connections.
   *
   * @param what what the file is, for messages ("job database")
   * @param refuseReadable refuse, rather than warn about, a file others can read
   * @throws StoreException if the file is missing ({@link FilePrivacy.Opening#EXISTING}: NOT_FOUND),
   *     refused, or cannot be opened
   */
  public Db(Path file, Duration busyTimeout, long maxDatabaseBytes, boolean fullSync, FilePrivacy.Opening opening,
      String what, boolean refuseReadable) {
    FilePrivacy.prepare(file, opening, what, refuseReadable);
    this.file = file;
    this.what = what;
    this.busyTimeout = busyTimeout;
    this.maxDatabaseBytes = maxDatabaseBytes;
    this.fullSync = fullSync;
    this.platform = Executors.newFixedThreadPool(4,
        Thread.ofPlatform().daemon().name("spindle-sqlite-io-", 0).factory());
    try {
      this.writer = open();
      for (int i = 0; i < READERS; i++) {
        readers.add(open());
      }
    } catch (SQLException e) {
      closeAll();
      throw SqliteErrors.translate(e, "open", file, busyTimeout, maxDatabaseBytes);
    } catch (RuntimeException e) {
      closeAll();
      throw e;
    }
    this.fileKey = fileKey(file);
  }

  /** The file's identity (device and inode on Unix), or {@code null} if it cannot be read. */
  private static @Nullable Object fileKey(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Checks that the path still names the file this store opened (same device and inode): a file
   * deleted or replaced under an open store would go on being served to this process while every
   * other process (and every job enqueued at that path) uses the new one. Once it differs, this and
   * every later call fail with {@link StoreException.Reason#REPLACED}, logged once as an error.
   * Cheap (one {@code stat}); called from the worker's heartbeat.
   *
   * @throws StoreException REPLACED if the file was deleted or replaced
   */
  public void checkFileIdentity() {
    StoreException gone = replaced;
    if (gone != null) {
      throw gone;
    }
    if (fileKey == null || closed) {
      return; // no identity to compare (a file system without one), or closed on purpose
    }
    Object now = fileKey(file);
    if (fileKey.equals(now)) {
      return;
    }
    gone = new StoreException(StoreException.Reason.REPLACED, "the " + what + " " + file
        + (now == null ? " was deleted" : " was replaced by another file") + " while this process had it open: it"
        + " would go on using the old file, which no other process sees (jobs enqueued at that path would never"
        + " run here); stopping. Restart the process to open the file now at that path");
    replaced = gone;
    LOG.error("{}", gone.getMessage());
    throw gone;
  }

  /**
   * Closes {@code c} and forgets it: after SQLITE_FULL, IOERR or CORRUPT a cached statement or the
   * transaction can be left in a state SQLite never recovers from on that connection ("statement is
   * not executing"), so a failed connection is replaced by a fresh one.
   */
  public void discard(Conn c) {
    synchronized (all) {
      all.remove(c);
    }
    c.close();
  }

  /** {@code c}, or a fresh connection replacing it if an error may have broken it. */
  private Conn usable(Conn c) throws SQLException {
    if (!c.broken) {
      return c;
    }
    Conn fresh = open();
    discard(c);
    return fresh;
  }

  /** Marks a connection for replacement after an error that is not a busy wait. */
  private static void failed(Conn c, SQLException e) {
    if (!SqliteErrors.isBusy(e)) {
      c.broken = true;
    }
  }

  /** Opens one more connection (for the change poller). */
  public Conn open() throws SQLException {
    Properties p = new Properties();
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), p);
    Conn conn = new Conn(c);
    synchronized (all) {
      all.add(conn);
    }
    final long timeoutNanos = busyTimeout.toNanos();
    BusyHandler.setHandler(c, new BusyHandler() {
      private long start;

      @Override
      protected int callback(int n) {
        long now = System.nanoTime();
        if (n == 0) {
          start = now;
        }
        if (now - start >= timeoutNanos) {
          return 0;
        }
        // 20 us, doubling to 1 ms: few wake-ups while another process commits a batch
        LockSupport.parkNanos(Math.min(1_000_000L, 20_000L << Math.min(n, 6)));
        return 1;
      }
    });
    conn.execOnce("PRAGMA journal_mode=WAL");
    conn.execOnce("PRAGMA synchronous=" + (fullSync ? "FULL" : "NORMAL"));
    conn.execOnce("PRAGMA temp_store=MEMORY");
    conn.execOnce("PRAGMA cache_size=-16000");
    conn.execOnce("PRAGMA foreign_keys=OFF");
    if (maxDatabaseBytes > 0) {
      long pageSize;
      try (var rs = c.createStatement().executeQuery("PRAGMA page_size")) {
        rs.next();
        pageSize = rs.getLong(1);
      }
      conn.execOnce("PRAGMA max_page_count=" + Math.max(1, maxDatabaseBytes / pageSize));
    }
    return conn;
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  /** How many calls were moved off virtual threads (for tests). */
  public long offloadedCalls() {
    return offloaded.get();
  }

  /**
   * Runs {@code work} in a write transaction (BEGIN IMMEDIATE ... COMMIT), retrying while the
   * database is locked by another process up to the busy timeout; any error rolls back.
   *
   * @throws StoreException on failure; nothing was written
   */
  @Override
  public <T> T write(String operation, SqlDb.Work<Conn, T> work) {
    return onPlatformThread(() -> {
      checkOpen();
      writeLock.lock();
      try {
        long deadline = System.nanoTime() + busyTimeout.toNanos();
        while (true) {
          try {
            writer = usable(writer);
            writer.exec("BEGIN IMMEDIATE");
            T result;
            try {
              result = work.run(writer);
              writer.exec("COMMIT");
            } catch (SQLException | RuntimeException e) {
              rollbackQuietly(writer);
              throw e;
            }
            return result;
          } catch (SQLException e) {
            if (SqliteErrors.isBusy(e) && System.nanoTime() < deadline) {
              LockSupport.parkNanos(200_000);
              continue;
            }
            failed(writer, e);
            throw SqliteErrors.translate(e, operation, file, busyTimeout, maxDatabaseBytes);
          }
        }
      } finally {
        writeLock.unlock();
      }
    });
  }

  /**
   * Runs {@code work} on a reader connection inside one read transaction (a consistent snapshot).
   *
   * @throws StoreException on failure
   */
  @Override
  public <T> T read(String operation, SqlDb.Work<Conn, T> work) {
    return onPlatformThread(() -> {
      checkOpen();
      Conn c = takeReader();
      try {
        long deadline = System.nanoTime() + busyTimeout.toNanos();
        while (true) {
          try {
            c = usable(c);
            c.exec("BEGIN");
            try {
              T result = work.run(c);
              c.exec("COMMIT");
              return result;
            } catch (SQLException | RuntimeException e) {
              rollbackQuietly(c);
              throw e;
            }
          } catch (SQLException e) {
            if (SqliteErrors.isBusy(e) && System.nanoTime() < deadline) {
              LockSupport.parkNanos(200_000);
              continue;
            }
            failed(c, e);
            throw SqliteErrors.translate(e, operation, file, busyTimeout, maxDatabaseBytes);
          }
        }
      } finally {
        readers.add(c);
      }
    });
  }

  /** A reader from the pool; fails once the store closes rather than wait for a pool it drained. */
  private Conn takeReader() {
    try {
      while (true) {
        Conn c = readers.poll(50, TimeUnit.MILLISECONDS);
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

  private static void rollbackQuietly(Conn c) {
    c.clearBatches();
    try {
      c.exec("ROLLBACK");
    } catch (SQLException e) {
      // no transaction active (SQLite already rolled back): nothing to do
    }
  }

  private <T> T onPlatformThread(Callable<T> call) {
    if (!Thread.currentThread().isVirtual()) {
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
    } catch (java.util.concurrent.RejectedExecutionException e) {
      throw new StoreException(StoreException.Reason.CLOSED, "the job store " + file + " is closed", e);
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

  private void checkOpen() {
    StoreException gone = replaced;
    if (gone != null) {
      throw gone;
    }
    if (closed) {
      throw new StoreException(StoreException.Reason.CLOSED, "the job store sqlite:" + file + " is closed");
    }
  }

  /** Closes every connection once in-flight work is done. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    platform.shutdown();
    try {
      platform.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
      while (back < READERS) {
        Conn c = readers.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
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
      for (Conn c : all) {
        c.close();
      }
      all.clear();
    }
  }

  /** The translated exception for an error outside {@link #write}/{@link #read}. */
  public StoreException translate(SQLException e, String operation) {
    return SqliteErrors.translate(e, operation, file, busyTimeout, maxDatabaseBytes);
  }
}
