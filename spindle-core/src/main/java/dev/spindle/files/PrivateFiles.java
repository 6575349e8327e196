package dev.spindle.files;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Files and directories only their owner may use: created with mode 0600 (files) or 0700
 * (directories) whatever the umask, and checked in the spirit of sshd's {@code StrictModes}: who
 * owns a path, which permissions it grants to group and others, and, for a set of files and their
 * directory ({@link #inspect}), every reason other users could read or change them, each naming the
 * {@code chown}/{@code chmod} that fixes it. Where the file system has no POSIX permissions the
 * creating methods fall back to plain creation and {@link #inspect} finds nothing. Stateless;
 * thread-safe.
 */
public final class PrivateFiles {
  /** The mode of a private file: {@code rw-------} (0600). */
  public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  /** The mode of a private directory: {@code rwx------} (0700). */
  public static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");

  private static final Set<PosixFilePermission> OTHERS_WRITE =
      EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
  private static final Set<PosixFilePermission> OTHERS_READ =
      EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
  private static final int STICKY = 01000;

  /**
   * What {@link #inspect} found.
   *
   * @param problems why other users could change the files or their directory, each with its fix;
   *     empty if none
   * @param readable the files (of those inspected) that other users can read
   */
  public record Findings(List<String> problems, List<Path> readable) {
    /** Copies both lists. */
    public Findings {
      problems = List.copyOf(problems);
      readable = List.copyOf(readable);
    }
  }

  private PrivateFiles() {}

  /** Whether {@code p}, or its nearest existing ancestor, is on a file system with POSIX permissions. */
  public static boolean isPosix(Path p) {
    Path existing = p.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing != null && Files.getFileAttributeView(existing, PosixFileAttributeView.class) != null;
  }

  /**
   * Creates {@code dir} and its missing parents, each new one 0700 (plainly where there are no POSIX
   * permissions). Existing directories are left as they are.
   *
   * @return {@code dir}
   * @throws IOException if one cannot be created
   */
  public static Path createDirectories(Path dir) throws IOException {
    return isPosix(dir) ? Files.createDirectories(dir, directoryMode()) : Files.createDirectories(dir);
  }

  /**
   * Creates the directory {@code dir} (its parent must exist) with mode 0700 whatever the umask; one
   * created meanwhile by another process is left as it is, for the caller to check.
   *
   * @throws IOException if it cannot be created
   */
  public static void createDirectory(Path dir) throws IOException {
    try {
      Files.createDirectory(dir, directoryMode());
      Files.setPosixFilePermissions(dir, DIRECTORY_MODE);
    } catch (FileAlreadyExistsException e) {
      // created concurrently
    }
  }

  /**
   * A new directory in {@code base} named {@code prefix} and a random suffix, mode 0700.
   *
   * @throws IOException if it cannot be created
   */
  public static Path createTempDirectory(Path base, String prefix) throws IOException {
    return Files.createTempDirectory(base, prefix, directoryMode());
  }

  /**
   * Creates the empty file {@code file}, mode 0600 whatever the umask.
   *
   * @throws FileAlreadyExistsException if it exists
   * @throws IOException if it cannot be created
   */
  public static void createFile(Path file) throws IOException {
    Files.createFile(file, fileMode());
    Files.setPosixFilePermissions(file, FILE_MODE);
  }

  /**
   * A new empty file in {@code dir}, named {@code prefix}, a random part and {@code suffix}, mode 0600.
   *
   * @param dir the directory; {@code null} for the default temporary directory
   * @throws IOException if it cannot be created
   */
  public static Path createTempFile(@Nullable Path dir, String prefix, String suffix) throws IOException {
    return Files.createTempFile(dir, prefix, suffix, fileMode());
  }

  /**
   * Sets {@code file}'s mode to 0600 (a unix socket just bound, whose mode the umask chose).
   *
   * @throws IOException if it cannot be changed
   * @throws UnsupportedOperationException if the file system has no POSIX permissions
   */
  public static void restrict(Path file) throws IOException {
    Files.setPosixFilePermissions(file, FILE_MODE);
  }

  /** The permissions of {@code permissions} that go to group or others (none for a private file). */
  public static Set<PosixFilePermission> grantedToOthers(Set<PosixFilePermission> permissions) {
    Set<PosixFilePermission> others = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : permissions) {
      if (!p.name().startsWith("OWNER")) {
        others.add(p);
      }
    }
    return others;
  }

  /**
   * The numeric user id this process runs as (from the JDK's {@code jdk.security.auth} module), or
   * {@code null} where it is not available; owners are then compared by name.
   */
  public static @Nullable Long currentUid() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid();
    } catch (LinkageError | RuntimeException e) {
      return null;
    }
  }

  /** The name of the user this process runs as ({@code user.name}). */
  public static String userName() {
    return System.getProperty("user.name", "the current user");
  }

  /**
   * Whether {@code p} belongs to the user {@code uid}: numeric owners are compared where the platform
   * tells them, else the owner's name with {@link #userName()}.
   *
   * @param uid the user, usually {@link #currentUid()}; {@code null} compares names
   * @throws IOException if the owner cannot be read
   */
  public static boolean isOwnedBy(Path p, @Nullable Long uid, LinkOption... options) throws IOException {
    Integer owner = uid(p, options);
    if (owner != null && uid != null) {
      return owner.longValue() == uid;
    }
    return Files.getOwner(p, options).getName().equals(userName());
  }

  /**
   * Every reason other users could change {@code files} (missing ones are skipped) or replace them
   * in their directory {@code dir}: a directory that is neither this user's nor root's, or that
   * group or others can write (unless it is sticky, as {@code /tmp} is: they cannot then remove or
   * rename what is in it); a file of another user, or one group or others can write. Also which of
   * the files group or others can read. Nothing is found on a file system without POSIX permissions.
   */
  public static Findings inspect(Path dir, List<Path> files) {
    @Nullable Long me = currentUid();
    List<String> problems = new ArrayList<>();
    PosixFileAttributes d = attributes(dir);
    if (d != null) {
      if (!owned(dir, me) && !owned(dir, 0L)) {
        problems.add("its directory " + dir + " belongs to " + d.owner().getName() + ", not to " + userName()
            + " (run chown " + userName() + " " + dir + ", or keep the files in a directory of your own)");
      }
      if (OTHERS_WRITE.stream().anyMatch(d.permissions()::contains) && !sticky(dir)) {
        problems.add("its directory " + dir + " can be written by other users, who could replace or remove what"
            + " is in it (run chmod go-w " + dir + ", or chmod 700 " + dir + ")");
      }
    }
    List<Path> readable = new ArrayList<>();
    for (Path p : files) {
      PosixFileAttributes a = attributes(p);
      if (a == null) {
        continue; // missing
      }
      if (!owned(p, me)) {
        problems.add(p + " belongs to " + a.owner().getName() + ", not to " + userName() + " (if it is yours, run "
            + "chown " + userName() + " " + p + "; if not, another user put it there: remove it)");
      }
      if (OTHERS_WRITE.stream().anyMatch(a.permissions()::contains)) {
        problems.add(p + " can be written by other users (run chmod 600 " + p + ")");
      }
      if (OTHERS_READ.stream().anyMatch(a.permissions()::contains)) {
        readable.add(p);
      }
    }
    return new Findings(problems, readable);
  }

  private static FileAttribute<Set<PosixFilePermission>> directoryMode() {
    return PosixFilePermissions.asFileAttribute(DIRECTORY_MODE);
  }

  private static FileAttribute<Set<PosixFilePermission>> fileMode() {
    return PosixFilePermissions.asFileAttribute(FILE_MODE);
  }

  /** Whether {@code p} is {@code uid}'s; true when that cannot be told (nothing refused on a guess). */
  private static boolean owned(Path p, @Nullable Long uid) {
    try {
      return isOwnedBy(p, uid);
    } catch (IOException | UnsupportedOperationException e) {
      return true;
    }
  }

  private static @Nullable Integer uid(Path p, LinkOption... options) {
    try {
      return (Integer) Files.getAttribute(p, "unix:uid", options);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
      return null;
    }
  }

  private static @Nullable PosixFileAttributes attributes(Path p) {
    try {
      return Files.readAttributes(p, PosixFileAttributes.class);
    } catch (IOException | UnsupportedOperationException e) {
      return null; // missing or not POSIX
    }
  }

  private static boolean sticky(Path dir) {
    try {
      return (((Integer) Files.getAttribute(dir, "unix:mode")) & STICKY) != 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
      return false;
    }
  }
}
