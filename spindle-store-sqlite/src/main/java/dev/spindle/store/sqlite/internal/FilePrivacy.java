package dev.spindle.store.sqlite.internal;

import dev.spindle.files.PrivateFiles;
import dev.spindle.queue.StoreException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one check of every SQLite file Spindle opens (job stores and coordination databases), in the
 * spirit of sshd's {@code StrictModes} and PostgreSQL's data-directory check: creates missing
 * directories 0700 and a missing database file 0600 before SQLite opens it (SQLite gives its
 * {@code -wal} and {@code -shm} files the database file's permissions), or, when opening an existing
 * store only, creates nothing; then refuses a database, {@code -wal} or {@code -shm} file that
 * another user owns or that group or others can write, and a directory holding them that another
 * user (other than root) owns or that group or others can write (unless it has the sticky bit, as
 * {@code /tmp} does: others cannot then remove or rename what is in it). A database others can read
 * is reported (WARN) or refused on request. The checks and their messages, which say which {@code
 * chown}/{@code chmod} fixes it, are {@link PrivateFiles#inspect}'s. On file systems without POSIX
 * permissions nothing is checked. Stateless.
 */
public final class FilePrivacy {
  private static final Logger LOG = LoggerFactory.getLogger(FilePrivacy.class);

  /** Whether opening may create the file and its directories. */
  public enum Opening {
    /** Create what is missing, privately (a command or application that writes). */
    CREATE,
    /**
     * Create a missing file (privately) but not a missing directory, which is
     * {@link StoreException.Reason#NOT_FOUND}: as {@code flock(1)} does with a lock file.
     */
    CREATE_FILE,
    /** Open an existing store only; a missing one is {@link StoreException.Reason#NOT_FOUND}. */
    EXISTING
  }

  private FilePrivacy() {}

  /**
   * Creates what is missing ({@link Opening#CREATE}), privately, and checks what exists.
   *
   * @param what what the file is, for messages ("job database", "coordination database")
   * @param refuseReadable throw instead of warning if others can read the database
   * @throws StoreException NOT_FOUND if {@link Opening#EXISTING} and the file is missing;
   *     CANNOT_OPEN if a directory or the file cannot be created, if a file or its directory is
   *     another user's or writable by others, or if {@code refuseReadable} and others can read it
   */
  public static void prepare(Path file, Opening opening, String what, boolean refuseReadable) {
    Path dir = file.toAbsolutePath().getParent();
    if (opening == Opening.EXISTING && (!Files.exists(file) || isEmpty(file))) {
      throw new StoreException(StoreException.Reason.NOT_FOUND, "no store at " + file + " (nothing was created;"
          + " a command that writes, such as enqueue or worker, creates it)");
    }
    if (opening == Opening.CREATE_FILE && dir != null && !Files.isDirectory(dir)) {
      throw new StoreException(StoreException.Reason.NOT_FOUND, "no directory " + dir + " for the " + what + " "
          + file.getFileName() + " (nothing was created; create it with mkdir -m 700 " + dir + ")");
    }
    boolean posix = dir != null && PrivateFiles.isPosix(dir);
    create(file, dir, posix, what);
    if (!posix || dir == null) {
      return;
    }
    PrivateFiles.Findings found = PrivateFiles.inspect(dir, List.of(file, sibling(file, "-wal"), sibling(file, "-shm")));
    if (!found.problems().isEmpty()) {
      throw new StoreException(StoreException.Reason.CANNOT_OPEN, "refusing the " + what + " " + file
          + ": other users could read or change it: " + String.join("; ", found.problems()));
    }
    if (found.readable().isEmpty()) {
      return;
    }
    String msg = "the " + what + " " + file + " can be read by other users ("
        + String.join(", ", found.readable().stream().map(p -> p.getFileName().toString()).toList())
        + "): what it holds is visible to them; run chmod 600 " + file + "* and chmod 700 " + dir;
    if (refuseReadable) {
      throw new StoreException(StoreException.Reason.CANNOT_OPEN, msg + " (refused: requirePrivate)");
    }
    LOG.warn("{}", msg);
  }

  private static void create(Path file, @Nullable Path dir, boolean posix, String what) {
    try {
      if (dir != null && !Files.isDirectory(dir)) {
        PrivateFiles.createDirectories(dir);
      }
      if (posix && !Files.exists(file)) {
        try {
          PrivateFiles.createFile(file);
        } catch (FileAlreadyExistsException e) {
          // another process created it first: checked like any existing store
        }
      }
    } catch (IOException | UnsupportedOperationException e) {
      throw new StoreException(StoreException.Reason.CANNOT_OPEN, "cannot create the " + what + " " + file
          + " or its directory: " + e, e);
    }
  }

  /** An empty file without a write-ahead log holding pages: a database nothing was ever written to. */
  private static boolean isEmpty(Path file) {
    try {
      Path wal = sibling(file, "-wal");
      return Files.size(file) == 0 && (!Files.exists(wal) || Files.size(wal) == 0);
    } catch (IOException e) {
      return false; // opening it says what is wrong
    }
  }

  private static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }
}
