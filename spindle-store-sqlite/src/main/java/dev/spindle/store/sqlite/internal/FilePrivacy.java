package dev.spindle.store.sqlite.internal;

import dev.spindle.queue.StoreException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
 * is reported (WARN) or refused on request. The messages say which {@code chown}/{@code chmod}
 * fixes it. On file systems without POSIX permissions nothing is checked. Stateless.
 */
public final class FilePrivacy {
  private static final Logger LOG = LoggerFactory.getLogger(FilePrivacy.class);
  private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final int STICKY = 01000;

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
    boolean posix = dir != null && supportsPosix(dir);
    create(file, dir, posix, what);
    if (!posix || dir == null) {
      return;
    }
    @Nullable Object me = currentUser();
    List<String> problems = new ArrayList<>();
    PosixFileAttributes d = attributes(dir);
    if (d != null) {
      if (!ownedBy(dir, me) && !ownedByRoot(dir)) {
        problems.add("its directory " + dir + " belongs to " + d.owner().getName() + ", not to " + userName()
            + " (run chown " + userName() + " " + dir + ", or keep the store in a directory of your own)");
      }
      if (writableByOthers(d) && !sticky(dir)) {
        problems.add("its directory " + dir + " can be written by other users, who could replace or remove the "
            + "store (run chmod go-w " + dir + ", or chmod 700 " + dir + ")");
      }
    }
    List<String> readable = new ArrayList<>();
    for (Path p : List.of(file, sibling(file, "-wal"), sibling(file, "-shm"))) {
      PosixFileAttributes a = attributes(p);
      if (a == null) {
        continue; // missing (no WAL yet)
      }
      if (!ownedBy(p, me)) {
        problems.add(p + " belongs to " + a.owner().getName() + ", not to " + userName() + " (if it is yours, run "
            + "chown " + userName() + " " + p + "; if not, another user put it there: remove it)");
      }
      if (writableByOthers(a)) {
        problems.add(p + " can be written by other users (run chmod 600 " + p + ")");
      }
      if (a.permissions().contains(PosixFilePermission.GROUP_READ)
          || a.permissions().contains(PosixFilePermission.OTHERS_READ)) {
        readable.add(p.getFileName().toString());
      }
    }
    if (!problems.isEmpty()) {
      throw new StoreException(StoreException.Reason.CANNOT_OPEN, "refusing the " + what + " " + file
          + ": other users could read or change it: " + String.join("; ", problems));
    }
    if (readable.isEmpty()) {
      return;
    }
    String msg = "the " + what + " " + file + " can be read by other users (" + String.join(", ", readable)
        + "): what it holds is visible to them; run chmod 600 " + file + "* and chmod 700 " + dir;
    if (refuseReadable) {
      throw new StoreException(StoreException.Reason.CANNOT_OPEN, msg + " (refused: requirePrivate)");
    }
    LOG.warn("{}", msg);
  }

  private static void create(Path file, @Nullable Path dir, boolean posix, String what) {
    try {
      if (dir != null && !Files.isDirectory(dir)) {
        if (posix) {
          Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR));
        } else {
          Files.createDirectories(dir);
        }
      }
      if (posix && !Files.exists(file)) {
        try {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
          Files.setPosixFilePermissions(file, FILE); // whatever the umask
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

  private static @Nullable PosixFileAttributes attributes(Path p) {
    try {
      return Files.readAttributes(p, PosixFileAttributes.class);
    } catch (IOException | UnsupportedOperationException e) {
      return null; // missing or not POSIX
    }
  }

  private static boolean writableByOthers(PosixFileAttributes a) {
    return a.permissions().contains(PosixFilePermission.GROUP_WRITE)
        || a.permissions().contains(PosixFilePermission.OTHERS_WRITE);
  }

  private static boolean sticky(Path dir) {
    try {
      return (((Integer) Files.getAttribute(dir, "unix:mode")) & STICKY) != 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  /** The effective uid of this process (Linux), else {@code null}: then owners are compared by name. */
  private static @Nullable Object currentUser() {
    try {
      return Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean ownedBy(Path p, @Nullable Object uid) {
    try {
      if (uid != null) {
        return uid.equals(Files.getAttribute(p, "unix:uid"));
      }
      UserPrincipal owner = Files.getOwner(p);
      return owner.getName().equals(userName());
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return true; // nothing to compare with: not refused on a guess
    }
  }

  private static boolean ownedByRoot(Path p) {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(p, "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  private static String userName() {
    return System.getProperty("user.name", "the current user");
  }

  private static boolean supportsPosix(Path p) {
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing != null && Files.getFileAttributeView(existing, PosixFileAttributeView.class) != null;
  }
}
