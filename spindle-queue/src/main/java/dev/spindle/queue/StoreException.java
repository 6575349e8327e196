package dev.spindle.queue;

import org.jspecify.annotations.Nullable;

/**
 * A job store could not carry out an operation. The {@link #reason()} says what kind of problem it
 * is and the message says exactly what happened and what to do. A failed write changed nothing:
 * stores apply each operation atomically, so no job is half-written or lost.
 */
public class StoreException extends RuntimeException {
  /** What kind of failure. */
  public enum Reason {
    /** The database stayed locked by another process or connection beyond the busy timeout. */
    BUSY,
    /** The disk (or the configured size limit of the database) is full. */
    DISK_FULL,
    /** The database file or its directory cannot be written. */
    READ_ONLY,
    /** The database cannot be opened (missing directory, permissions, not a database). */
    CANNOT_OPEN,
    /** The database file is damaged. */
    CORRUPT,
    /** The broker or server is unreachable or refused the command. */
    UNAVAILABLE,
    /** An I/O error or any other failure. */
    IO,
    /** The store was closed. */
    CLOSED,
    /**
     * There is no store at the location and the caller asked to open an existing one only (a
     * command that only reads): nothing was created.
     */
    NOT_FOUND,
    /**
     * The store's file was deleted or replaced while it was open: this process would go on serving
     * a file no other process sees. Not transient: reopen the location.
     */
    REPLACED
  }

  private final Reason reason;

  public StoreException(Reason reason, @Nullable String message, @Nullable Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public StoreException(Reason reason, String message) {
    this(reason, message, null);
  }

  /** The kind of failure. */
  public Reason reason() {
    return reason;
  }

  /**
   * True if retrying the same operation later may succeed (busy, unavailable, I/O; also a full disk
   * once space is freed). Workers retry these with backoff.
   */
  public boolean isTransient() {
    return reason == Reason.BUSY || reason == Reason.UNAVAILABLE || reason == Reason.IO
        || reason == Reason.DISK_FULL;
  }
}
