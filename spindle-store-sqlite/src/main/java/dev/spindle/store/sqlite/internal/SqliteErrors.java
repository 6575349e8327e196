package dev.spindle.store.sqlite.internal;

import dev.spindle.queue.StoreException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Turns SQLite errors into {@link StoreException}s that say what happened and what to do. Stateless. */
final class SqliteErrors {
  private SqliteErrors() {}

  /** The primary result code of an error (SQLITE_BUSY = 5, ...), or -1. */
  public static int primaryCode(SQLException e) {
    if (e instanceof SQLiteException se && se.getResultCode() != null) {
      return se.getResultCode().code & 0xff;
    }
    int code = e.getErrorCode();
    return code > 0 ? code & 0xff : -1;
  }

  /**
   * True for SQLITE_BUSY, SQLITE_LOCKED and SQLITE_PROTOCOL: another connection holds a lock, so
   * retrying may work. SQLite returns SQLITE_PROTOCOL (without calling the busy handler) when a WAL
   * transaction could not start after about 10 s of its own retries: another process stopped
   * inside the WAL's shared-memory protocol (a {@code SIGSTOP}, a debugger, a frozen VM) holds
   * every reader back until it runs again, which is a lock held, not a broken file.
   */
  public static boolean isBusy(SQLException e) {
    int c = primaryCode(e);
    return c == SQLiteErrorCode.SQLITE_BUSY.code || c == SQLiteErrorCode.SQLITE_LOCKED.code
        || c == SQLiteErrorCode.SQLITE_PROTOCOL.code;
  }

  /**
   * The store exception for an error during {@code operation}.
   *
   * @param what what the file is, for messages ("job database", "coordination database")
   * @param maxDatabaseBytes the configured size limit (0 for none), for the DISK_FULL message
   */
  public static StoreException translate(SQLException e, String operation, Path file, String what,
      Duration busyTimeout, long maxDatabaseBytes) {
    int c = primaryCode(e);
    String where = " (" + operation + " on " + file + ")";
    String detail = e.getMessage();
    if (isBusy(e)) {
      return new StoreException(StoreException.Reason.BUSY, "the " + what + " stayed locked by another "
          + "connection for more than the busy timeout of " + busyTimeout + where + ": another process holds a "
          + "long write transaction (an open sqlite3 shell? a stuck process?); nothing was written, retry later. "
          + detail, e);
    }
    if (c == SQLiteErrorCode.SQLITE_FULL.code) {
      return new StoreException(StoreException.Reason.DISK_FULL, "the " + what + " cannot grow" + where + ": "
          + (maxDatabaseBytes > 0 ? "the disk is full or the database reached its configured limit of "
              + maxDatabaseBytes + " bytes" : "the disk is full")
          + "; the operation was rolled back, nothing stored was lost; free space (or purge finished jobs) and "
          + "retry. " + detail, e);
    }
    if (c == SQLiteErrorCode.SQLITE_READONLY.code || c == SQLiteErrorCode.SQLITE_PERM.code) {
      return new StoreException(StoreException.Reason.READ_ONLY, "the " + what + " is read-only" + where
          + ": make the file, its -wal and -shm companions and their directory writable by this user; "
          + "nothing was written. " + detail, e);
    }
    if (c == SQLiteErrorCode.SQLITE_CANTOPEN.code) {
      return new StoreException(StoreException.Reason.CANNOT_OPEN, "cannot open the " + what + where
          + ": check that the directory exists and is writable. " + detail, e);
    }
    if (c == SQLiteErrorCode.SQLITE_CORRUPT.code || c == SQLiteErrorCode.SQLITE_NOTADB.code) {
      return new StoreException(StoreException.Reason.CORRUPT, "the " + what + " file is damaged or is not a "
          + "SQLite database" + where + "; restore it from a backup or move it away. " + detail, e);
    }
    if (c == SQLiteErrorCode.SQLITE_TOOBIG.code) {
      return new StoreException(StoreException.Reason.IO, "a value is too large for SQLite" + where + ". " + detail,
          e);
    }
    if (c == SQLiteErrorCode.SQLITE_IOERR.code) {
      return new StoreException(StoreException.Reason.IO, "disk I/O error" + where + "; nothing was written. "
          + detail, e);
    }
    return new StoreException(StoreException.Reason.IO, "SQLite error" + where + ": " + detail, e);
  }
}
