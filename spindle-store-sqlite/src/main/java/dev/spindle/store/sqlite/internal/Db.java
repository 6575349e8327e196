package dev.spindle.store.sqlite.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.internal.SqlConn;
import dev.spindle.store.jdbc.internal.SqlTransactions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.BusyHandler;

/**
 * The SQLite connections of one store, the engine's connection layer ({@link SqlTransactions}) on
 * one writer (every write transaction of this process, serialized by a lock, BEGIN IMMEDIATE) and a
 * small pool of readers (WAL lets them read while another process writes); the driver's busy
 * handler waits with sub-millisecond backoff up to the busy timeout; a connection broken by an error
 * is replaced; the file's identity is checked. Calls made on virtual threads are carried out on
 * platform threads. Thread-safe.
 */
public final class Db extends SqlTransactions<Db.Conn> {
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

  /** A connection whose prepared statements are cached for its life ({@link SqlConn}). */
  public static final class Conn extends SqlConn {
    Conn(Connection connection) {
      super(connection, true);
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
  @SuppressWarnings("this-escape") // the connections are opened last, by this class's own methods
  public Db(Path file, Duration busyTimeout, long maxDatabaseBytes, boolean fullSync, FilePrivacy.Opening opening,
      String what, boolean refuseReadable) {
    super(SqliteDialect.INSTANCE, busyTimeout, true, "sqlite:" + file);
    FilePrivacy.prepare(file, opening, what, refuseReadable);
    this.file = file;
    this.what = what;
    this.busyTimeout = busyTimeout;
    this.maxDatabaseBytes = maxDatabaseBytes;
    this.fullSync = fullSync;
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
    if (fileKey == null || isClosed()) {
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
    if (!c.broken()) {
      return c;
    }
    Conn fresh = open();
    discard(c);
    return fresh;
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

  /** Writes take the one writer under this process's lock, for all their attempts. */
  @Override
  protected void enter(boolean write) {
    if (write) {
      writeLock.lock();
    }
  }

  @Override
  protected void exit(boolean write) {
    if (write) {
      writeLock.unlock();
    }
  }

  /** The writer (guarded by the lock {@link #enter} took) or a reader, replaced if broken. */
  @Override
  protected Conn acquire(boolean write) throws SQLException {
    if (write) {
      writer = usable(writer);
      return writer;
    }
    Conn c = takeReader();
    try {
      return usable(c);
    } catch (SQLException | RuntimeException e) {
      readers.add(c);
      throw e;
    }
  }

  @Override
  protected void release(Conn c, boolean write) {
    if (!write) {
      readers.add(c);
    }
  }

  /** {@code BEGIN IMMEDIATE} for a write: the database's write lock is taken (or waited for) now. */
  @Override
  protected void begin(Conn c, boolean write) throws SQLException {
    c.exec(write ? "BEGIN IMMEDIATE" : "BEGIN");
  }

  @Override
  protected void commit(Conn c) throws SQLException {
    c.exec("COMMIT");
  }

  @Override
  protected void rollback(Conn c) {
    c.clearBatches();
    try {
      c.exec("ROLLBACK");
    } catch (SQLException e) {
      // no transaction active (SQLite already rolled back): nothing to do
    }
  }

  @Override
  protected StoreException translate(SQLException e, String operation, boolean lostAtCommit) {
    return SqliteErrors.translate(e, operation, file, busyTimeout, maxDatabaseBytes);
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

  /** Fails once the file was found replaced ({@link #checkFileIdentity}) or the store closed. */
  @Override
  protected void checkOpen() {
    StoreException gone = replaced;
    if (gone != null) {
      throw gone;
    }
    super.checkOpen();
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
