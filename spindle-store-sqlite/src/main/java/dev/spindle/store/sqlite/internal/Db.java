package dev.spindle.store.sqlite.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.store.ChangeListeners;
import dev.spindle.store.jdbc.internal.SqlChangePoller;
import dev.spindle.store.jdbc.internal.SqlConn;
import dev.spindle.store.jdbc.internal.SqlSingleWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.BusyHandler;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * The SQLite connections of one store: the engine's single-writer layer ({@link SqlSingleWriter}:
 * one writer taking {@code BEGIN IMMEDIATE} under this process's lock, three readers that WAL lets
 * read while another process writes) with SQLite's pragmas, a busy handler that waits with
 * sub-millisecond backoff up to the busy timeout, and a check of the file's identity. Calls made on
 * virtual threads are carried out on platform threads. Thread-safe.
 */
public final class Db extends SqlSingleWriter<Db.Conn> {
  private static final int READERS = 3;
  /** Moves when another connection (of any process) commits; a few microseconds, no file I/O. */
  private static final String DATA_VERSION = "PRAGMA data_version";

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
  /**
   * Whether a new connection may create the file: only while the store opens. A connection opened
   * later (a reader, the change feed) must not recreate a file deleted under the store, which would
   * hide the deletion behind a new, empty database.
   */
  private volatile boolean mayCreateFile = true;

  /** A connection whose prepared statements are cached for its life ({@link SqlConn}). */
  public static final class Conn extends SqlConn {
    Conn(Connection connection) {
      super(connection, true);
    }
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
    super(SqliteDialect.INSTANCE, busyTimeout, true, "sqlite:" + file, READERS, "BEGIN IMMEDIATE", "BEGIN");
    FilePrivacy.prepare(file, opening, what, refuseReadable);
    this.file = file;
    this.what = what;
    this.busyTimeout = busyTimeout;
    this.maxDatabaseBytes = maxDatabaseBytes;
    this.fullSync = fullSync;
    try {
      openConnections();
    } catch (SQLException e) {
      throw SqliteErrors.translate(e, "open", file, what, busyTimeout, maxDatabaseBytes);
    }
    this.mayCreateFile = false;
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
   * The change feed of this file: polls {@code PRAGMA data_version} on a connection of its own
   * (the value is per connection) every {@code intervalNanos}.
   */
  public SqlChangePoller changes(long intervalNanos, ChangeListeners listeners) {
    return new SqlChangePoller("spindle-sqlite-changes", SqlChangePoller.dedicated(() -> connect().jdbc(),
        DATA_VERSION), intervalNanos, 0, listeners);
  }

  /**
   * A new connection: WAL, the durability's {@code synchronous}, the size cap, and a busy handler
   * that waits 20 us doubling to 1 ms up to the busy timeout (few wake-ups while another process
   * commits a batch).
   */
  @Override
  protected Conn connect() throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    if (!mayCreateFile) {
      config.resetOpenMode(SQLiteOpenMode.CREATE);
    }
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
    Conn conn = new Conn(c);
    try {
      configure(conn);
    } catch (SQLException | RuntimeException e) {
      conn.close();
      throw e;
    }
    return conn;
  }

  private void configure(Conn conn) throws SQLException {
    Connection c = conn.jdbc();
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
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  @Override
  protected StoreException translate(SQLException e, String operation, boolean lostAtCommit) {
    return SqliteErrors.translate(e, operation, file, what, busyTimeout, maxDatabaseBytes);
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
}
