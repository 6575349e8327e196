package dev.spindle.web;

import dev.spindle.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The ownership and permission checks on a users file, as sshd's StrictModes makes them on
 * {@code authorized_keys}: a file others may read gives away its hashes, one others may change lets
 * them add an operator. Stateless; thread-safe.
 */
final class UsersFiles {
  private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

  private UsersFiles() {}

  /**
   * Checks that {@code file} (a link is followed) is owned by the user running this process and
   * that no one else may read or write it. Not checked where the file system has no POSIX
   * permissions.
   *
   * @throws IllegalArgumentException naming the fix ({@code chmod 600 FILE}, {@code chown})
   */
  static void requirePrivate(Path file) {
    requirePrivate(file, PrivateFiles.currentUid());
  }

  /** Like {@link #requirePrivate(Path)}, as the user {@code me} (null: compare user names). */
  static void requirePrivate(Path file, @Nullable Long me) {
    PosixFileAttributes a;
    try {
      a = Files.readAttributes(file, PosixFileAttributes.class);
    } catch (UnsupportedOperationException e) {
      return; // no POSIX permissions (Windows): its ACLs are the administrator's to set
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the users file " + file + ": " + e.getMessage(), e);
    }
    Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
    open.addAll(a.permissions());
    open.retainAll(OTHERS);
    if (!open.isEmpty()) {
      throw new IllegalArgumentException("the users file " + file + " may be read or changed by other users"
          + " (permissions " + PosixFilePermissions.toString(a.permissions()) + "): its hashes could be guessed"
          + " offline or a user added; make it private with: chmod 600 " + file);
    }
    boolean mine;
    try {
      mine = PrivateFiles.isOwnedBy(file, me);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the users file " + file + ": " + e.getMessage(), e);
    }
    if (!mine) {
      String who = PrivateFiles.userName();
      throw new IllegalArgumentException("the users file " + file + " is owned by " + a.owner().getName()
          + ", not by " + who + ", who runs the dashboard; give it to that user with: chown " + who + " " + file
          + " (and chmod 600 " + file + ")");
    }
  }
}
