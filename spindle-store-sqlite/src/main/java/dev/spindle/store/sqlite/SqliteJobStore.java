package dev.spindle.store.sqlite;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.store.ChangeListeners;
import dev.spindle.store.jdbc.JdbcJobStore;
import dev.spindle.store.jdbc.JdbcStoreBuilder;
import dev.spindle.store.jdbc.internal.HostClock;
import dev.spindle.store.jdbc.internal.SqlNumbering;
import dev.spindle.store.jdbc.internal.SqlReturningClaims;
import dev.spindle.store.jdbc.internal.TraceContextColumn;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.SqliteDialect;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The embedded job store: one SQLite file in WAL mode, shared safely by any number of processes on
 * one machine (the single-machine default). Every operation is one transaction, so a crash or
 * {@code kill -9} at any point loses nothing committed and leaves no half-done change.
 *
 * <ul>
 *   <li>Durability: {@code synchronous=NORMAL} by default (committed jobs survive any process crash;
 *       a power loss may drop the last transactions), {@link Durability#FULL} to survive power loss too.
 *   <li>Busy database: writes take the lock with BEGIN IMMEDIATE and wait up to the busy timeout
 *       with sub-millisecond backoff, then fail with a clear {@link StoreException} (BUSY).
 *   <li>Full disk, read-only file, damaged file: a {@link StoreException} saying which, with the
 *       transaction rolled back.
 *   <li>Idle workers are woken within about {@link Builder#wakeupInterval} of a commit by any
 *       process, by polling {@code PRAGMA data_version}.
 *   <li>All SQLite calls run on platform threads; calls from virtual threads are handed over.
 *   <li>Job payloads are private: a new store's directories are created 0700 and its files (the
 *       database, {@code -wal}, {@code -shm}) 0600; a store other users can read is reported
 *       (WARN) or refused ({@link Builder#requirePrivate}); one that another user owns or can write
 *       (or whose directory they can) is refused.
 *   <li>A file deleted or replaced while open is noticed at the next worker heartbeat: every call
 *       then fails with {@link StoreException.Reason#REPLACED}.
 *   <li>A connection that failed with an error other than busy (disk full, I/O error) is replaced
 *       by a fresh one, so the store resumes by itself once the cause is gone.
 * </ul>
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link Builder#busyTimeout}</td><td>10 s</td></tr>
 *   <tr><td>{@link Builder#durability}</td><td>NORMAL</td></tr>
 *   <tr><td>{@link Builder#maxDatabaseBytes}</td><td>0: no limit besides the disk</td></tr>
 *   <tr><td>{@link Builder#maxPayloadBytes}</td><td>16 MiB per argument or result</td></tr>
 *   <tr><td>{@link Builder#wakeupInterval}</td><td>2 ms</td></tr>
 *   <tr><td>{@link Builder#requirePrivate}</td><td>false: warn about a store others can read</td></tr>
 * </table>
 *
 * <p>Thread-safe. Open with {@link #open(Path)}, a {@link Builder}, or
 * {@code JobStores.open("sqlite:path")}.
 */
public final class SqliteJobStore extends JdbcJobStore<Db.Conn> {
  /** How hard commits are flushed to disk. */
  public enum Durability {
    /** {@code synchronous=NORMAL}: safe against process crashes; the fastest. */
    NORMAL,
    /** {@code synchronous=FULL}: every commit is fsynced; safe against power loss. */
    FULL
  }

  private final SqliteSettings settings;
  private final Db db;

  private SqliteJobStore(SqliteSettings s, Db db, ChangeListeners listeners) {
    super(engine(s, db, listeners));
    this.settings = s;
    this.db = db;
  }

  /** The engine's parts on this file: the dialect, its writer and readers, and this store's SQL. */
  private static JdbcJobStore.Builder<Db.Conn> engine(SqliteSettings s, Db db, ChangeListeners listeners) {
    SqlReturningClaims<Db.Conn> claims = SqliteClaims.create();
    return JdbcJobStore.builder(SqliteDialect.INSTANCE, db, s.clock())
        .listeners(listeners)
        .feed(db.changes(s.wakeupInterval().toNanos(), listeners))
        .describe("sqlite:" + s.path())
        .maxPayloadBytes(s.maxPayloadBytes())
        .traceContextColumn(TraceContextColumn.EXPRESSION)
        .numbering(new SqlNumbering.Counter<>(SqliteDialect.INSTANCE))
        .finishCursor(SqlNumbering.Counter::committed)
        .inserts(new SqliteEnqueue(claims))
        .claims(claims)
        .beforeHeartbeat(db::checkFileIdentity); // a file deleted or replaced under a worker stops it
  }

  /** Opens (creating if needed) the store at {@code file} with default settings. */
  public static SqliteJobStore open(Path file) {
    return builder(file).open();
  }

  /** A builder for the store at {@code file}. */
  public static Builder builder(Path file) {
    return new Builder(file);
  }

  /** The database file. */
  public Path file() {
    return settings.path();
  }

  /** The durability setting in use. */
  public Durability durability() {
    return settings.durability();
  }

  /** For tests: how many calls were moved off virtual threads onto platform threads. */
  public long offloadedCalls() {
    return db.offloadedCalls();
  }

  @Override
  public String toString() {
    return "SqliteJobStore[" + settings.path() + ", " + settings.durability() + "]";
  }

  /**
   * Validates settings as they are given; the shared ones ({@link #clock}, default {@link
   * HostClock}: the host kernel's real-time clock, shared by every process of the host; {@link
   * #maxPayloadBytes}) are {@link JdbcStoreBuilder}'s. Not thread-safe.
   */
  public static final class Builder extends JdbcStoreBuilder<Builder> {
    private final Path file;
    private Duration busyTimeout = Duration.ofSeconds(10);
    private Durability durability = Durability.NORMAL;
    private long maxDatabaseBytes;
    private Duration wakeupInterval = Duration.ofMillis(2);
    private boolean requirePrivate;
    private boolean createIfMissing = true;

    private Builder(Path file) {
      this.file = Objects.requireNonNull(file, "file");
    }

    /** How long a write waits for a lock held by another process before failing with BUSY. */
    public Builder busyTimeout(Duration timeout) {
      if (Objects.requireNonNull(timeout, "timeout").isNegative()) {
        throw new IllegalArgumentException("busyTimeout must not be negative: " + timeout);
      }
      this.busyTimeout = timeout;
      return this;
    }

    /** How hard commits are flushed. */
    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    /**
     * Caps the database size (SQLite {@code max_page_count}); a write that would exceed it fails like
     * a full disk. 0 = no cap.
     */
    public Builder maxDatabaseBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxDatabaseBytes must be >= 0: " + bytes);
      }
      this.maxDatabaseBytes = bytes;
      return this;
    }

    /** How often idle listeners poll for commits of other processes (1 ms - 1 s). */
    public Builder wakeupInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("wakeupInterval must be within 1 ms .. 1 s: " + interval);
      }
      this.wakeupInterval = interval;
      return this;
    }

    /**
     * Whether to refuse a database that other users can read (default false: a warning is logged).
     * New stores are always created private: directories 0700, files 0600.
     */
    public Builder requirePrivate(boolean require) {
      this.requirePrivate = require;
      return this;
    }

    /**
     * Whether {@link #open()} creates a missing store (default true). False for code that only reads
     * (the CLI's status, jobs and list commands): a missing or empty file then fails with
     * {@link StoreException.Reason#NOT_FOUND} and nothing (no directory, no file) is created.
     */
    public Builder createIfMissing(boolean create) {
      this.createIfMissing = create;
      return this;
    }

    /**
     * Opens the store, creating the file, its directory and the schema if needed (and allowed by
     * {@link #createIfMissing}).
     *
     * @throws StoreException if it cannot be opened (the message says why): NOT_FOUND if it is
     *     missing and must not be created; CANNOT_OPEN if it or its directory belongs to another
     *     user or others can write it
     */
    public SqliteJobStore open() {
      Clock clock = givenClock();
      SqliteSettings s = new SqliteSettings(file, busyTimeout, durability, maxDatabaseBytes, payloadLimit(),
          wakeupInterval, requirePrivate, !createIfMissing, clock != null ? clock : HostClock.INSTANCE);
      return new SqliteJobStore(s, s.openDatabase(), new ChangeListeners());
    }
  }
}
