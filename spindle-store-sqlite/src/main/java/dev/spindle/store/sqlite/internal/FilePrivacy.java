package dev.spindle.store.sqlite.internal;

import dev.spindle.queue.StoreException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps job payloads away from other local users: creates the store's missing directories 0700 and
 * an empty database file 0600 before SQLite opens it (SQLite gives its {@code -wal} and {@code -shm}
 * files the database file's permissions), and reports an existing store that group or others can
 * read. On file systems without POSIX permissions nothing is checked. Stateless.
 */
public final class FilePrivacy {
  private static final Logger LOG = LoggerFactory.getLogger(FilePrivacy.class);
  private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private FilePrivacy() {}

  /**
   * Creates what is missing, privately, and checks what exists.
   *
   * @param refuse throw instead of warning if others can read the database
   * @throws StoreException CANNOT_OPEN if a directory or the file cannot be created, or if
   *     {@code refuse} and the database is readable by others
   */
  public static void prepare(Path file, boolean refuse) {
    Path dir = file.getParent();
    boolean posix = dir != null && supportsPosix(dir);
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
          // another process created it first: checked below like any existing store
        }
      }
    } catch (IOException | UnsupportedOperationException e) {
      throw new StoreException(StoreException.Reason.CANNOT_OPEN, "cannot create the job database " + file
          + " or its directory: " + e, e);
    }
    if (!posix) {
      return;
    }
    List<String> exposed = new ArrayList<>();
    for (Path p : List.of(file, sibling(file, "-wal"), sibling(file, "-shm"))) {
      if (readableByOthers(p)) {
        exposed.add(p.getFileName().toString());
      }
    }
    if (exposed.isEmpty()) {
      return;
    }
    String msg = "the job database " + file + " can be read by other users (" + String.join(", ", exposed)
        + "): job arguments and results are visible to them; run chmod 600 " + file + "* and chmod 700 " + dir;
    if (refuse) {
      throw new StoreException(StoreException.Reason.CANNOT_OPEN, msg + " (refused: requirePrivate)");
    }
    LOG.warn("{}", msg);
  }

  private static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }

  private static boolean readableByOthers(Path p) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ);
    } catch (IOException | UnsupportedOperationException e) {
      return false; // missing (no WAL yet) or not POSIX
    }
  }

  private static boolean supportsPosix(Path p) {
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing != null && Files.getFileAttributeView(existing, PosixFileAttributeView.class) != null;
  }
}
